"""allauth's own limits keyed by an e-mail address fold only its case: written in many ways
("Jean.Dupont+1@gmail.com", "jeandupont+2@GMAIL.com"…), one mailbox would get a budget per
spelling and could be flooded with sign-up, verification and password-reset e-mails. Here the
variants of one mailbox share one budget (case, +tags, dots and googlemail.com folded:
core.ratelimits.folded_email), another mailbox keeps its own, and the answer does not depend on
whether the address has an account."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from solidaire.accounts.models import User
from solidaire.core.ratelimits import folded_email

from ..factories import DEFAULT_PASSWORD, UserFactory
from .helpers import page_text, translated

PASSWORD = "Une-phrase-de-passe-solide"
MAILBOX = "jean.dupont@gmail.com"
# Six ways of writing one mailbox: one more than each per-mailbox budget (5 an hour).
VARIANTS = [
    "Jean.Dupont+1@gmail.com",
    "jeandupont+2@gmail.com",
    "JEAN.DUPONT@GMAIL.COM",
    "j.e.a.n.dupont@gmail.com",
    "jean.dupont+dons@googlemail.com",
    "jeandupont@gmail.com",
]


def mails_to_mailbox(mailbox: str) -> list:
    return [m for m in mail.outbox if any(folded_email(to) == folded_email(mailbox) for to in m.to)]


@pytest.fixture
def post(personas, client_for, django_capture_on_commit_callbacks):
    client = client_for(personas.a)

    def go(path, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data)

    return go


def sign_up(post, email):
    return post("/comptes/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_sign_ups_with_variants_of_one_mailbox_share_one_budget(post):
    answers = [sign_up(post, email) for email in VARIANTS]
    assert [answer.status_code for answer in answers[:5]] == [302] * 5
    refused = answers[5]
    assert refused.status_code == 200  # the form again, with the reason
    assert translated("Too many sign-ups with this address. Try again later.") in page_text(refused)
    assert not User.objects.filter(email__iexact=VARIANTS[5]).exists()
    assert len(mails_to_mailbox(MAILBOX)) == 5
    # Another mailbox is not affected.
    assert sign_up(post, "marie.curie@gmail.com").status_code == 302
    assert len(mails_to_mailbox("marie.curie@gmail.com")) == 1


def test_a_sign_up_is_refused_alike_whether_the_address_has_an_account(post):
    UserFactory(email="claire.martin@gmail.com")
    for n in range(5):
        sign_up(post, f"claire.martin+{n}@gmail.com")
        sign_up(post, f"paul.roux+{n}@gmail.com")
    known, unknown = sign_up(post, "claire.martin@gmail.com"), sign_up(post, "paul.roux@gmail.com")
    assert known.status_code == unknown.status_code == 200
    message = translated("Too many sign-ups with this address. Try again later.")
    assert message in page_text(known) and message in page_text(unknown)


def test_verification_emails_to_variants_of_one_mailbox_share_one_budget(post):
    """Each spelling is an account whose address is not verified yet; signing in to one sends its
    verification e-mail again (allauth allows one every 3 minutes per address as written)."""
    for email in VARIANTS:
        user = UserFactory(email=email.lower(), verified=False)
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    other = UserFactory(email="marie.curie@gmail.com", verified=False)
    EmailAddress.objects.create(user=other, email=other.email, verified=False, primary=True)
    for email in VARIANTS:
        answer = post("/comptes/login/", {"login": email, "password": DEFAULT_PASSWORD})
        assert answer.status_code == 302  # to "verify your address", whether sent or not
    assert len(mails_to_mailbox(MAILBOX)) == 5
    post("/comptes/login/", {"login": other.email, "password": DEFAULT_PASSWORD})
    assert len(mails_to_mailbox(other.email)) == 1


def test_password_resets_for_variants_of_one_mailbox_share_one_budget(post):
    UserFactory(email=MAILBOX)
    answers = [post("/comptes/password/reset/", {"email": email}) for email in VARIANTS]
    assert [answer.status_code for answer in answers] == [302] * 5 + [200]
    assert translated("Too many password resets were asked for this address. Try again later.") in page_text(answers[5])
    assert len(mails_to_mailbox(MAILBOX)) == 5  # reset links, or "no account with this address"
    assert post("/comptes/password/reset/", {"email": "marie.curie@gmail.com"}).status_code == 302


def test_the_mailbox_limits_are_off_when_rate_limits_are(post, settings):
    settings.RATELIMIT_ENABLE = False
    UserFactory(email=MAILBOX)
    for email in VARIANTS:
        post("/comptes/password/reset/", {"email": email})
    for n in range(6):
        sign_up(post, f"paul.roux+{n}@gmail.com")
    assert len(mails_to_mailbox(MAILBOX)) == 6
    assert len(mails_to_mailbox("paul.roux@gmail.com")) == 6
