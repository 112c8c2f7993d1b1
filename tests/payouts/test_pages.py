"""The payout pages as finance officers, administrators, moderators and owners use them: every
change asks for a confirmation first, goes through payouts.actions, and two-factor authentication
is asked where the money leaves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from solidaire.audit.models import AuditEvent
from solidaire.beneficiaries.actions import suspend_payouts
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.payouts import actions
from solidaire.payouts.models import Batch, LineStatus, PayoutSettings
from solidaire.payouts.owed import REASON_LABELS

from ..campaigns.helpers import CREATE_URL, form_data
from ..gifts import approved_registration, give
from .conftest import with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def owed_cafe(cafe):
    give(cafe, 500)
    give(cafe, 1000, email="eve@example.org")
    return cafe


def prepared(cafe, by):
    return actions.prepare_batch(campaign=cafe.campaign, channel="matching", actor=by)


def test_home_shows_what_is_owed_by_channel_and_who_waits_apart(personas, client_for, owed_cafe, campaign, finance):
    held = approved_registration(campaign, name="Bar Suspendu")
    give(held, 300)
    suspend_payouts(registration=held, moderator=personas.a.moderator, reason="Enquête en cours")
    page = client_for(personas.a, finance[0]).get(reverse("payouts:home")).content.decode()
    assert owed_cafe.establishment.legal_name in page
    assert "15\xa0€" in page  # the match of 5 € and 10 €
    assert "Bar Suspendu" in page and "Enquête en cours" in page
    with translation.override("fr"):
        assert str(REASON_LABELS["suspended"]) in page


def test_preparing_asks_first_then_freezes_the_batch(personas, client_for, owed_cafe, finance):
    client = client_for(personas.a, finance[0])
    data = {"channel": "matching", "route": "bank", "cutoff": "2026-01-01", "decision_reference": "DEL-2026-12"}
    # The cut-off is before the gifts: nobody can be paid.
    response = client.post(reverse("payouts:home"), data)
    assert response.status_code == 400 and not Batch.objects.exists()
    data["cutoff"] = timezone.localdate().isoformat()
    response = client.post(reverse("payouts:home"), data)
    assert response.status_code == 200 and not Batch.objects.exists()
    assert "15\xa0€" in response.content.decode()
    response = client.post(reverse("payouts:home"), {**data, "confirmed": "True"})
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("payouts:batch", args=[batch.pk])
    assert (batch.total_cents, batch.decision_reference, batch.prepared_by) == (1500, "DEL-2026-12", finance[0])


def test_a_cut_off_in_the_future_is_refused(personas, client_for, owed_cafe, finance):
    response = client_for(personas.a, finance[0]).post(
        reverse("payouts:home"), {"channel": "matching", "route": "bank", "cutoff": "2999-01-01", "confirmed": "True"}
    )
    assert response.status_code == 400 and not Batch.objects.exists()


def test_approval_by_another_finance_officer_with_two_factor(personas, client_for, owed_cafe, finance, bank_account):
    preparer, approver = finance
    batch = prepared(owed_cafe, preparer)
    url = reverse("payouts:approve", args=[batch.pk])
    # The preparer is not offered the button, and is refused if they post anyway.
    page = client_for(personas.a, preparer).get(reverse("payouts:batch", args=[batch.pk])).content.decode()
    assert url not in page
    response = client_for(personas.a, preparer).post(url, {"confirmed": "True"})
    assert response.status_code == 400
    batch.refresh_from_db()
    assert batch.status == "prepared" and batch.approved_by is None
    # The other one is asked to confirm, then approves.
    assert client_for(personas.a, approver).post(url).status_code == 200
    batch.refresh_from_db()
    assert batch.status == "prepared"
    response = client_for(personas.a, approver).post(url, {"confirmed": "True"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == ("approved", approver)
    assert batch.documents.count() == 4


def test_approval_without_two_factor_points_to_its_setup(personas, client_for, owed_cafe, bank_account, settings):
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = True
    batch = prepared(owed_cafe, personas.a.finance)
    response = client_for(personas.a, personas.a.admin).post(
        reverse("payouts:approve", args=[batch.pk]), {"confirmed": "True"}
    )
    assert response.status_code == 400
    assert reverse("mfa_index") in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "prepared"


def test_files_need_two_factor_and_are_audited(personas, client_for, owed_cafe, finance, bank_account, settings):
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = True
    batch = actions.approve_batch(batch=prepared(owed_cafe, finance[0]), actor=finance[1])
    url = reverse("payouts:document", args=[batch.pk, "sepa"])
    refused = client_for(personas.a, personas.a.admin).get(url)
    assert refused.status_code == 302 and refused["Location"] == reverse("payouts:batch", args=[batch.pk])
    assert not AuditEvent.objects.filter(action="payout.batch_exported").exists()
    response = client_for(personas.a, finance[0]).get(url)
    document = batch.documents.get(kind="sepa")
    assert response.status_code == 200 and response.content == bytes(document.content)
    assert response["X-Content-SHA256"] == document.sha256
    assert 'filename="' in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="payout.batch_exported")
    assert (event.actor, event.data["sha256"]) == (finance[0], document.sha256)
    page = client_for(personas.a, finance[0]).get(reverse("payouts:batch", args=[batch.pk])).content.decode()
    assert document.sha256 in page


def test_sent_then_paid_line_by_line_and_failed(personas, client_for, campaign, finance, bank_account):
    first, second = approved_registration(campaign, name="Premier"), approved_registration(campaign, name="Second")
    give(first, 500)
    give(second, 800)
    batch = actions.approve_batch(batch=prepared(first, finance[0]), actor=finance[1])
    client = client_for(personas.a, finance[0])
    assert client.post(reverse("payouts:mark_sent", args=[batch.pk])).status_code == 200  # asks first
    response = client.post(reverse("payouts:mark_sent", args=[batch.pk]), {"confirmed": "True"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "sent"
    line_one, line_two = batch.lines.order_by("legal_name")
    # Ticking one line asks first, naming it, then marks it paid.
    response = client.post(reverse("payouts:mark_paid", args=[batch.pk]), {"lines": [line_one.pk]})
    assert response.status_code == 200 and line_one.legal_name in response.content.decode()
    client.post(reverse("payouts:mark_paid", args=[batch.pk]), {"lines": [line_one.pk], "confirmed": "True"})
    line_one.refresh_from_db()
    line_two.refresh_from_db()
    assert (line_one.status, line_two.status) == (LineStatus.PAID, LineStatus.PENDING)
    # A failed transfer needs its reason, and is owed again.
    client.post(reverse("payouts:mark_failed", args=[batch.pk, line_two.pk]), {"reason": ""})
    line_two.refresh_from_db()
    assert line_two.status == LineStatus.PENDING
    client.post(reverse("payouts:mark_failed", args=[batch.pk, line_two.pk]), {"reason": "Compte clos"})
    line_two.refresh_from_db()
    batch.refresh_from_db()
    assert (line_two.status, line_two.failure_reason, batch.status) == (LineStatus.FAILED, "Compte clos", "settled")


def test_the_owner_is_told_with_a_link_on_the_collectivites_address(
    personas, owed_cafe, finance, bank_account, django_capture_on_commit_callbacks, mailoutbox
):
    batch = actions.approve_batch(batch=prepared(owed_cafe, finance[0]), actor=finance[1])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_sent(batch=batch, actor=finance[0])
    [message] = mailoutbox
    assert message.to == [owed_cafe.establishment.owner.email]
    assert "15" in message.subject
    path = reverse("payouts:owner_payouts", args=[owed_cafe.pk])
    assert f"http://{personas.a.host}" in message.body and path in message.body
    assert batch.lines.get().end_to_end_id in message.body


def test_owner_sees_owed_in_batch_and_paid_and_downloads_a_statement(
    personas, client_for, campaign, finance, bank_account
):
    cafe = approved_registration(campaign, owner=personas.a.owner, name="Chez Oscar")
    give(cafe, 500)
    client = client_for(personas.a, personas.a.owner)
    url = reverse("payouts:owner_payouts", args=[cafe.pk])
    assert "5\xa0€" in client.get(url).content.decode()
    batch = actions.approve_batch(batch=prepared(cafe, finance[0]), actor=finance[1])
    actions.mark_sent(batch=batch, actor=finance[0])
    actions.mark_paid(batch=batch, actor=finance[0])
    page = client.get(url).content.decode()
    assert batch.lines.get().end_to_end_id in page
    assert "Payé le" in page or "Paid on" in page
    pdf = client.get(reverse("payouts:owner_statement", args=[cafe.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    registration_page = client.get(reverse("beneficiaries:owner_registration", args=[cafe.pk])).content.decode()
    assert url in registration_page


def test_the_account_is_changed_by_an_admin_with_two_factor_and_checked(personas, client_for, settings):
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = True
    url = reverse("payouts:account")
    valid = {
        "debtor_name": "REGION GRAND EST",
        "iban": "FR76 3000 1007 9412 3456 7890 185",
        "bic": "BDFEFRPPCCT",
        "pain_version": "pain.001.001.09",
    }
    admin = client_for(personas.a, personas.a.admin)
    assert admin.post(url, valid).status_code == 400  # no two-factor yet
    assert not PayoutSettings.objects.exists()
    with_two_factor(personas.a.admin)
    bad = admin.post(url, {**valid, "iban": "FR7630001007941234567890186"})
    assert bad.status_code == 400 and not PayoutSettings.objects.exists()
    assert admin.post(url, {**valid, "bic": "DEUTDEFFXXX"}).status_code == 400
    assert admin.post(url, valid).status_code == 302
    account = PayoutSettings.objects.get()
    assert (account.iban, account.bic) == ("FR7630001007941234567890185", "BDFEFRPPCCT")
    assert AuditEvent.objects.filter(action="payout.settings_changed").count() == 1
    # Finance officers see it, and may not change it.
    finance = client_for(personas.a, personas.a.finance)
    assert "FR7630001007941234567890185" in finance.get(url).content.decode()
    assert finance.post(url, {**valid, "debtor_name": "X"}).status_code == 403


def test_a_statement_that_is_not_xml_is_refused(personas, client_for, finance):
    response = client_for(personas.a, finance[0]).post(
        reverse("payouts:statements"), {"statement": SimpleUploadedFile("releve.xml", b"%PDF-1.4 not xml")}
    )
    assert response.status_code == 400


def test_moderators_hold_back_and_resume_payments(personas, client_for, owed_cafe, finance):
    url = reverse("beneficiaries:payouts_hold", args=[owed_cafe.pk])
    moderator = client_for(personas.a, personas.a.moderator)
    moderator.post(url, {"reason": ""})
    owed_cafe.refresh_from_db()
    assert owed_cafe.payouts_suspended_at is None  # a reason is needed
    moderator.post(url, {"reason": "Fermeture administrative"})
    owed_cafe.refresh_from_db()
    assert owed_cafe.payouts_suspension_reason == "Fermeture administrative"
    with pytest.raises(ActionError) as refused:
        prepared(owed_cafe, finance[0])
    assert refused.value.code == "nothing_owed"
    moderator.post(url, {"resume": "1"})
    owed_cafe.refresh_from_db()
    assert owed_cafe.payouts_suspended_at is None
    assert prepared(owed_cafe, finance[0]).total_cents == 1500


def test_money_handlers_are_asked_to_switch_on_two_factor(personas, client_for):
    banner = reverse("mfa_index")
    assert banner in client_for(personas.a, personas.a.finance).get(reverse("campaigns:manage_home")).content.decode()
    assert (
        banner
        not in client_for(personas.a, personas.a.moderator).get(reverse("campaigns:manage_home")).content.decode()
    )
    with_two_factor(personas.a.finance)
    assert (
        banner not in client_for(personas.a, personas.a.finance).get(reverse("campaigns:manage_home")).content.decode()
    )


def test_two_factor_pages_render(personas, client_for):
    client = client_for(personas.a, personas.a.finance)
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.get(reverse("mfa_activate_totp"))
    # The set-up page, or first the password again (allauth asks it before a security change).
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    else:
        assert response.status_code == 200 and b"otpauth" in response.content


@pytest.mark.parametrize(("typed", "cents"), [("", 100), ("2,50", 250), ("0", 0)])
def test_the_campaign_sets_its_smallest_payment(personas, client_for, typed, cents):
    response = client_for(personas.a, personas.a.admin).post(CREATE_URL, form_data(payout_minimum_cents=typed))
    assert response.status_code == 302
    assert Campaign.objects.get().payout_minimum_cents == cents


def test_a_provider_batch_is_prepared_and_sent_from_the_pages(personas, client_for, owed_cafe, finance):
    client = client_for(personas.a, finance[0])
    today = timezone.localdate().isoformat()
    refused = client.post(reverse("payouts:home"), {"channel": "matching", "route": "provider", "cutoff": today})
    assert refused.status_code == 400 and not Batch.objects.exists()
    data = {"channel": "gifts", "route": "provider", "cutoff": today}
    assert client.post(reverse("payouts:home"), data).status_code == 200
    client.post(reverse("payouts:home"), {**data, "confirmed": "True"})
    batch = Batch.objects.get()
    assert (batch.route, batch.provider, batch.channel) == ("provider", "sandbox", "gifts")
    actions.approve_batch(batch=batch, actor=finance[1])
    page = client.get(reverse("payouts:batch", args=[batch.pk])).content.decode()
    assert reverse("payouts:document", args=[batch.pk, "sepa"]) not in page
    confirm = client.post(reverse("payouts:mark_sent", args=[batch.pk])).content.decode()
    with translation.override("fr"):
        assert gettext("Send the transfers") in confirm
