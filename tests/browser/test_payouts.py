"""Journey 4, paying the beneficiaries, in a real browser: fiona (finance officer, with an
authenticator app) signs in with her code, opens Versements, sees what the café is owed, prepares
a batch of the public match and confirms it; she is not offered to approve it. tristan, the other
finance officer, signs in the same way, approves it after a confirmation and finds its files with
their SHA-256; the SEPA file he downloads is the one stored at approval. He marks the batch sent to
the bank, then every line paid: the batch is settled and the ledger still balances. Every page
reached is checked with axe-core."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone, translation
from django.utils.translation import gettext

from solidaire.core.money import format_cents
from solidaire.ledger.checks import check_all
from solidaire.payouts.models import Batch, BatchStatus, LineStatus
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from tests.gifts import give
from tests.payouts import conftest as payouts
from tests.payouts.conftest import with_two_factor

# Café Solidaire in collectivité A, its café "Café de la Gare", and the account transfers leave from.
campaign, cafe, bank_account = payouts.campaign, payouts.cafe, payouts.bank_account

PAYOUTS = "/gestion/versements/"


def fr(message: str, **values) -> str:
    """What the French page says (the English text while the string is not translated yet)."""
    with translation.override("fr"):
        return gettext(message) % {k: format_cents(v) if isinstance(v, int) else v for k, v in values.items()}


def in_french(label) -> str:
    """A lazy label (a status with its context) as the French page shows it."""
    with translation.override("fr"):
        return str(label)


def totp_code(secret: str) -> str:
    """What the person's authenticator app shows now. allauth accepts only the current window
    (MFA_TOTP_TOLERANCE is 0): near its end, wait for the next one so the code is still valid
    when the form reaches the server."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    counter = int(time.time()) // period
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def officers(personas):
    """Région Grand Est's two finance officers with their authenticator apps' secrets: fiona
    prepares, tristan approves."""
    tristan = UserFactory(email="tristan@grand-est.example", first_name="Tristan")
    MembershipFactory(user=tristan, collectivite=personas.a.tenant, role="finance")
    fiona = personas.a.finance
    return (fiona, with_two_factor(fiona)), (tristan, with_two_factor(tristan))


def sign_in_with_code(page, user, secret: str):
    """The real login page, then allauth's second step asking for the authenticator's code."""
    page.goto("/comptes/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.follow(page.locator("main form button[type=submit]"))
    assert "/2fa/" in page.path or "/mfa/" in page.path, page.path
    page.fill("#id_code", totp_code(secret))
    page.follow(page.locator("main form button[type=submit]:not([form])"))  # not "Cancel"
    assert page.locator("#id_code").count() == 0, "the code was refused"


def status(page) -> str:
    """The batch's status, as its page shows it."""
    return page.locator("dl.rules dd strong").inner_text()


def open_payouts(page):
    """From anywhere, through the back office's navigation, to Versements."""
    page.follow(page.locator(".main-nav a[href$='/gestion/']"))
    page.follow(page.locator(f"nav.subnav a[href$='{PAYOUTS}']"))
    assert page.path == PAYOUTS


def test_a_batch_is_prepared_approved_by_another_officer_downloaded_and_paid(
    personas, open_page, settings, cafe, officers, bank_account
):
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = True
    give(cafe, 500)
    give(cafe, 1000, email="eve@example.org")
    owed = format_cents(1500, "fr")  # the public match of 5 € and 10 €
    (fiona, fiona_secret), (tristan, tristan_secret) = officers
    legal_name = cafe.establishment.legal_name

    # fiona sees what is owed and prepares the batch, asked first.
    preparer = open_page(personas.a)
    sign_in_with_code(preparer, fiona, fiona_secret)
    open_payouts(preparer)
    matching = preparer.locator("section[aria-labelledby='owed-matching']")
    assert owed in matching.locator("h2").inner_text()
    assert legal_name in matching.inner_text()
    preparer.check("input[name=channel][value=matching]")
    assert preparer.get_by_label(fr("Public match"), exact=True).is_checked()
    preparer.fill("#id_cutoff", timezone.localdate().isoformat())
    preparer.fill("#id_decision_reference", "DEL-2026-12")
    preparer.follow(preparer.locator("form[aria-labelledby=prepare] button[type=submit]"))
    assert not Batch.objects.exists()
    question = preparer.locator(".confirm").inner_text()
    assert owed in question and fr("Public match") in question
    preparer.follow(preparer.locator("form[aria-labelledby=prepare] button[type=submit]"))

    batch = Batch.objects.get()
    batch_page = f"{PAYOUTS}lots/{batch.pk}/"
    assert preparer.path == batch_page
    assert (batch.status, batch.total_cents, batch.prepared_by) == (BatchStatus.PREPARED, 1500, fiona)
    assert status(preparer) == fr("Waiting for approval")
    assert preparer.locator("form[action$='/approuver/']").count() == 0
    assert fr("You prepared this batch: another finance officer approves it.") in preparer.locator("main").inner_text()

    # tristan, in a browser of his own, approves it, asked first.
    approver = open_page(personas.a)
    sign_in_with_code(approver, tristan, tristan_secret)
    open_payouts(approver)
    approver.follow(approver.get_by_role("link", name=batch.reference))
    assert approver.path == batch_page
    approver.follow(approver.locator("form[action$='/approuver/'] button"))
    assert approver.path == f"{batch_page}approuver/"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREPARED
    approver.follow(approver.locator("main form[aria-labelledby=question] button[type=submit]"))
    assert approver.path == batch_page
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (BatchStatus.APPROVED, tristan)
    assert status(approver) == in_french(BatchStatus.APPROVED.label)
    files = approver.locator("main table").first.inner_text()
    documents = {document.kind: document for document in batch.documents.all()}
    assert set(documents) == {"sepa", "csv", "xlsx", "pdf"}
    for document in documents.values():
        assert document.sha256 in files

    # The SEPA file downloaded is the one made at approval.
    with approver.expect_download() as download:
        approver.locator(f"a[href$='{batch_page}fichiers/sepa/']").click()
    sepa = documents["sepa"]
    assert download.value.suggested_filename == sepa.name
    assert open(download.value.path(), "rb").read() == bytes(sepa.content)

    # Sent to the bank, then every line paid (none ticked), each asked first.
    approver.follow(approver.locator("form[action$='/envoye/'] button"))
    approver.follow(approver.locator("main form[aria-labelledby=question] button[type=submit]"))
    assert approver.path == batch_page
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    approver.follow(approver.locator("button[form=paid-form]"))
    assert legal_name in approver.locator("main ul").inner_text()
    approver.follow(approver.locator("main form[aria-labelledby=question] button[type=submit]"))
    assert approver.path == batch_page
    assert status(approver) == fr("Settled")
    (row,) = approver.locator("main table").last.locator("tbody tr").all()
    assert legal_name in row.inner_text() and in_french(LineStatus.PAID.label) in row.inner_text()

    batch.refresh_from_db()
    (line,) = batch.lines.all()
    assert (batch.status, line.status, line.amount_cents) == (BatchStatus.SETTLED, LineStatus.PAID, 1500)
    assert check_all() == []
