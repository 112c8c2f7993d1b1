"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server, and
every page a test reaches must pass axe-core (WCAG 2.1 A and AA) with no serious or critical
violation. A page that was reached but not checked fails the test at teardown, so the check
cannot be forgotten. Whatever the Content-Security-Policy blocks (an inline script or style, a
source it does not list) fails the test too: the browser says so on its console.

    page = open_page(personas.a)          # a fresh browser context on grand-est.localhost
    page.goto("/comptes/login/")          # navigates, then checks the page
    page.follow(page.locator("button"))   # clicks, waits for the next page, then checks it
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMERS_AS_MICROTASKS = """() => {
    window.setTimeout = (run, _delay, ...args) => { Promise.resolve().then(() => run(...args)); return 0; };
    window.clearTimeout = () => {};
}"""


def pytest_itemcollected(item):
    if HERE in Path(item.path).parents:
        item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Runs the browser tests last, after pytest-django's own ordering, so that the session's
    browser (see `chromium`) overlaps no other test."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item, so that teardown knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make browser-deps` installs Debian's chromium")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make browser-deps` (npm ci --prefix tests/browser)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop marked as running in the main thread, so
    # Django would refuse the tests' own database work (fixtures, the flush after each test).
    # Nothing here is async: lift the guard while the browser runs, that is only at the end.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class AccessibilityError(AssertionError):
    pass


class ContentSecurityPolicyError(AssertionError):
    pass


class BrowserPage:
    """A Playwright page on one collectivité’s site that axe-checks every page it reaches."""

    def __init__(self, page, base_url: str, *, scripts: bool = True):
        self.page = page
        self.base_url = base_url
        self.scripts = scripts  # False: the page's JavaScript is disabled
        self.documents: list[list] = []  # [url, checked], one per document loaded in the main frame
        self.blocked: list[str] = []  # what the Content-Security-Policy refused, as the console said it
        page.on("domcontentloaded", lambda p: self.documents.append([p.url, False]))
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text:
            self.blocked.append(f"{self.page.url}: {message.text}")

    def __getattr__(self, name):
        return getattr(self.page, name)

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.check_accessibility()
        return response

    def follow(self, locator):
        """Clicks a link or a submit button that loads another page, then checks that page."""
        with self.page.expect_event("load"):
            locator.click()
        self.check_accessibility()

    def check_accessibility(self):
        # axe is evaluated from here, not added as a <script> tag: the pages' policy refuses inline
        # scripts. Without JavaScript, timers never fire: axe's become microtasks.
        self.page.evaluate("source => (0, eval)(source)", AXE.read_text())
        if not self.scripts:
            self.page.evaluate(TIMERS_AS_MICROTASKS)
        results = self.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        self.documents[-1][1] = True
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            raise AccessibilityError(f"axe on {self.page.url}:\n" + "\n".join(map(_describe, blocking)))
        self.check_policy()

    def check_policy(self):
        if self.blocked:
            raise ContentSecurityPolicyError("refused by the Content-Security-Policy:\n" + "\n".join(self.blocked))

    def unchecked_pages(self) -> list[str]:
        self.page.title()  # lets Playwright deliver any navigation event still in flight
        return [url for url, checked in self.documents if not checked]


def _describe(violation: dict) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
    return f"- {violation['id']} ({violation['impact']}): {violation['help']}\n    {targets}"


@pytest.fixture
def open_page(request, chromium, live_server):
    """open_page(side) opens a new browser context (cookies of its own) on that collectivité’s host;
    keyword arguments go to the context (`java_script_enabled=False`: a browser without JavaScript)."""
    port = urlsplit(live_server.url).port
    contexts, pages = [], []

    def open_site(side, **options) -> BrowserPage:
        context = chromium.new_context(locale="fr-FR", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        scripts = options.get("java_script_enabled", True)
        pages.append(BrowserPage(context.new_page(), f"http://{side.host}:{port}", scripts=scripts))
        return pages[-1]

    yield open_site
    unchecked = [url for page in pages for url in page.unchecked_pages()]
    blocked = [message for page in pages for message in page.blocked]
    for context in contexts:
        context.close()
    call = getattr(request.node, "report_call", None)
    if unchecked and call is not None and call.passed:
        pytest.fail("pages reached but not checked for accessibility:\n" + "\n".join(unchecked), pytrace=False)
    if blocked and call is not None and call.passed:
        pytest.fail("refused by the Content-Security-Policy:\n" + "\n".join(blocked), pytrace=False)
