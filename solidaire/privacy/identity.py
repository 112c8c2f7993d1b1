"""Who a person is, for their own data: an e-mail address they proved they read (a signed link
kept for a short while in the session), or a signed-in account with a verified address.

Gifts are found by the donor key of the address (`matching.identity.donor_key`, the folded
mailbox), so a gift made as "Jean.Dupont+cafe@…" is one of "jeandupont@…"'s."""

import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils.crypto import salted_hmac

from solidaire.accounts.models import User
from solidaire.core.ratelimits import folded_email
from solidaire.donations.models import Gift
from solidaire.matching.identity import donor_key

FINGERPRINT_SALT = "solidaire.privacy.subject"
LINK_SALT = "solidaire.privacy.link"
SESSION_KEY = "privacy_email"
SESSION_UNTIL = "privacy_until"


@dataclass(frozen=True)
class Person:
    email: str
    user: User | None = None

    @property
    def fingerprint(self) -> str:
        """What the audit log keeps of the person: a keyed hash of the mailbox, never the address."""
        return salted_hmac(FINGERPRINT_SALT, folded_email(self.email)).hexdigest()[:16]

    def gifts(self):
        matches = Q(donor_key=donor_key(self.email))
        if self.user is not None:
            matches |= Q(user=self.user)
        return Gift.objects.filter(matches)


def link_minutes() -> int:
    return settings.SOLIDAIRE_PRIVACY_LINK_MINUTES


def make_token(email: str) -> str:
    return signing.dumps({"e": email.strip()}, salt=LINK_SALT, compress=True)


def read_token(token: str) -> str | None:
    """The address a link was sent to, or None when it is forged, altered or too old."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=link_minutes() * 60)
    except signing.BadSignature:  # SignatureExpired included
        return None
    email = data.get("e") if isinstance(data, dict) else None
    return email if isinstance(email, str) and email else None


def open_space(request, email: str) -> None:
    """The link was followed: the address is the session's for a while, no account needed."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = email
    request.session[SESSION_UNTIL] = int(time.time()) + link_minutes() * 60


def close_space(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_UNTIL, None)


def account_for(email: str) -> User | None:
    """The account of the same address, when there is one (whoever reads the mailbox could reset
    its password: proving the mailbox proves the account)."""
    return User.objects.filter(email__iexact=email.strip()).first()


def verified_user(user) -> bool:
    return bool(
        user.is_authenticated
        and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    )


def person_for(request) -> Person | None:
    """The person whose space this request may open: a signed-in account with a verified address,
    else the address of a link followed less than SOLIDAIRE_PRIVACY_LINK_MINUTES ago."""
    user = request.user
    if verified_user(user):
        return Person(email=user.email, user=user)
    email = request.session.get(SESSION_KEY)
    until = request.session.get(SESSION_UNTIL, 0)
    if not email or until < time.time():
        if email:
            close_space(request)
        return None
    return Person(email=email, user=account_for(email))


def fingerprint(email: str) -> str:
    """What the logs keep of an address: a keyed hash of the mailbox."""
    return "erased:" + salted_hmac(FINGERPRINT_SALT, folded_email(email)).hexdigest()[:16]
