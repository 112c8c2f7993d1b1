"""Donors, over HTTP through the proxy, as a browser without JavaScript does: the establishment's
page (its gift form and CSRF token), the gift posted, the sandbox's hosted page, an outcome
chosen there. Each donor comes from an address of its own (127.1.x.y: the loopback answers the
whole 127/8), as visitors do, so that the per-address limits apply as in production — the proxy
passes the address on (X-Real-IP).

What a donor ends with is what the sandbox says on its own page — "paid" only once its page
offers the bank's dispute form, i.e. the payment is settled there. A request cut by a dying web
process is tried again as a person would: a gift that was not started is started again (the
first attempt, if it got through, leaves an unpaid gift that expires); a payment page that did
not answer is read again and, if it is still open, submitted again (it pays once)."""

import dataclasses
import functools
import http.client
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 30
ATTEMPTS = 4
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_GIFT_FORM = re.compile(r'<form method="post" action="([^"]+/don/)"')
_CHECKOUT = re.compile(r'href="(https?://[^"]+/sandbox/paiement/(cs_test_[A-Za-z0-9_-]+)/)"')
# What the sandbox's page shows in each state (payments/sandbox_checkout.html).
_OPEN = 'name="outcome" value="success"'
_PAID = 'name="outcome" value="dispute"'
_RETRYABLE_STATUSES = {502, 503, 504}


class Retry(Exception):
    """The request did not get a real answer (the connection failed, or the proxy had no web
    process to give one): worth trying again."""


class Refused(Exception):
    """The application answered no (4xx): trying again would not help."""


@dataclasses.dataclass
class Donor:
    number: int
    establishment: int
    outcome: str  # "success" or "decline", chosen on the sandbox's page
    amount: str
    state: str = "not started"  # then "started", "paid", "declined", "open", or "error"
    checkout_id: str = ""
    retries: int = 0
    error: str = ""

    @property
    def email(self) -> str:
        return f"donor{self.number}@cluster.example"

    @property
    def address(self) -> str:
        return f"127.1.{self.number // 250}.{self.number % 250 + 1}"


class _SourceHandler(urllib.request.HTTPHandler):
    """Connects from a given local address."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


class Browser:
    def __init__(self, base: str, address: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            _SourceHandler(address), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, url: str, data: dict | None = None) -> tuple[str, str]:
        """(final URL, body) of a GET, or of a POST when `data` is given, redirects followed."""
        url = urllib.parse.urljoin(self.base, url)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=TIMEOUT) as response:  # noqa: S310
                return response.geturl(), response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            if exc.code in _RETRYABLE_STATUSES:
                raise Retry(f"{exc.code} from {url}") from exc
            raise Refused(f"{exc.code} from {url}") from exc
        except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise Retry(f"{exc.__class__.__name__} on {url}: {exc}") from exc


def _token(page: str, where: str) -> str:
    found = _CSRF.search(page)
    if not found:
        raise Refused(f"no CSRF token on {where}")
    return found.group(1)


def _sandbox_state(page: str) -> str:
    if _OPEN in page:
        return "open"
    return "paid" if _PAID in page else "declined"


def _start(donor: Donor, browser: Browser, campaign: str) -> str:
    """Starts the gift; returns its payment page's address."""
    url, page = browser.request(f"/campagnes/{campaign}/etablissements/{donor.establishment}/")
    form = _GIFT_FORM.search(page)
    if not form:
        raise Refused(f"no gift form on {url}")
    data = {
        "csrfmiddlewaretoken": _token(page, url),
        "amount_choice": donor.amount,
        "email": donor.email,
        "donor_name": f"Donor {donor.number}",
    }
    url, page = browser.request(form.group(1), data)
    checkout = _CHECKOUT.search(page)
    if not checkout:
        raise Refused(f"no payment link on {url}")
    donor.checkout_id = checkout.group(2)
    donor.state = "started"
    return checkout.group(1)


def _pay(donor: Donor, browser: Browser, checkout_url: str) -> None:
    url, page = browser.request(checkout_url)
    state = _sandbox_state(page)
    if state == "open":
        browser.request(
            checkout_url, {"csrfmiddlewaretoken": _token(page, url), "card": "4242", "outcome": donor.outcome}
        )
        # What the sandbox now says, on its own page.
        _url, page = browser.request(checkout_url)
        state = _sandbox_state(page)
    donor.state = state


def give(donor: Donor, base: str, campaign: str) -> Donor:
    browser = Browser(base, donor.address)
    checkout_url = ""
    for attempt in range(ATTEMPTS):
        try:
            if not checkout_url:
                checkout_url = _start(donor, browser, campaign)
            _pay(donor, browser, checkout_url)
            return donor
        except Retry as exc:
            donor.retries += 1
            donor.error = str(exc)
            time.sleep(0.5 * (attempt + 1))
        except Refused as exc:
            donor.state, donor.error = "error", str(exc)
            return donor
    if donor.state == "not started":
        donor.state = "error"
    return donor


class Progress:
    """How many donors are done, for the run's chaos (kills at given points) and its log."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def tick(self) -> None:
        with self._changed:
            self.done += 1
            self._changed.notify_all()

    def wait_for(self, done: int, stop: threading.Event) -> bool:
        with self._changed:
            while self.done < done and not stop.is_set():
                self._changed.wait(0.5)
            return not stop.is_set()
