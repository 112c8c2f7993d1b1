"""Every e-mail names the collectivité and comes from it: from its name at the address it sets
(`email_from`; the platform’s DEFAULT_FROM_EMAIL when empty), answers going to its contact
e-mail, its name in the text. The account e-mails of allauth (sign-up, verification, password
reset…) included: they used to greet with an empty site name ("Bonjour, c'est  !").

Every e-mail template of the product and of allauth is sent here by the code that sends it in
production (its real context), then rendered again in French, English and German: none may show
an empty placeholder."""

import re
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from types import SimpleNamespace

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone, translation

import solidaire
from solidaire.accounts.adapter import AccountAdapter
from solidaire.core import emails
from solidaire.tenants.forms import BrandingForm
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NAME = "Région Grand Est"
SENDER = "solidaire@grandest.fr"
CONTACT = "contact@grandest.fr"

PRODUCT_TEMPLATES = Path(solidaire.__file__).parent / "templates"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"


def prefixes(root: Path, pattern: str) -> set[str]:
    return {str(path.relative_to(root)).removesuffix("_subject.txt") for path in root.glob(pattern)}


EVERY_TEMPLATE = (
    prefixes(PRODUCT_TEMPLATES, "**/email/*_subject.txt")
    | prefixes(ALLAUTH_TEMPLATES, "account/email/*_subject.txt")
    | prefixes(ALLAUTH_TEMPLATES, "mfa/email/*_subject.txt")
)

# What an empty or unrendered placeholder leaves in a text.
EMPTY = {
    # (allauth's English puts two spaces after a full stop: that is no placeholder)
    "two spaces in a row": re.compile(r"[^\s.][ \u00a0\u202f]{2,}"),
    "a space at the end of a line": re.compile(r"(?<!^--)[ \u00a0\u202f]+$", re.MULTILINE),
    "None": re.compile(r"\bNone\b"),
    "empty brackets or quotes": re.compile(r"\(\s*\)|\[\s*\]|“[\s\u00a0\u202f]*”|«[\s\u00a0\u202f]*»|\"\s*\""),
    "a space before a comma or a full stop": re.compile(r"[ \u00a0\u202f][,.](\s|$)"),
    "a placeholder left as is": re.compile(r"\{\{|\}\}|\{%|%\(\w+\)s"),
}


def empty_placeholders(text: str) -> list[str]:
    return [f"{what}: {match.group(0)!r}" for what, pattern in EMPTY.items() for match in pattern.finditer(text)]


@pytest.fixture
def tenant(personas):
    tenant = personas.a.tenant
    tenant.email_from, tenant.contact_email = SENDER, CONTACT
    tenant.save()
    return tenant


@pytest.fixture
def sent(tenant, django_capture_on_commit_callbacks):
    """Calls `do` and returns the e-mails it sent."""

    def send(do):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            do()
        return mail.outbox[before:]

    return send


def assert_from_the_collectivite(message):
    assert parseaddr(message.from_email) == (NAME, SENDER), message.from_email
    assert message.reply_to == [CONTACT]
    assert NAME in message.body
    assert empty_placeholders(message.subject + "\n" + message.body) == [], message.body


# The account e-mails -------------------------------------------------------------------------------


def test_the_sign_up_email_names_the_collectivite_and_comes_from_its_address(personas, client_for, sent):
    client = client_for(personas.a)
    data = {"email": "new@example.org", "password1": "un-long-mot-de-passe", "password2": "un-long-mot-de-passe"}
    (message,) = sent(lambda: client.post("/comptes/signup/", data))
    assert_from_the_collectivite(message)
    assert "c'est  !" not in message.body
    assert "grand-est.localhost" in message.body


def test_the_verification_email_names_the_collectivite(personas, client_for, sent):
    user = UserFactory(email="unverified@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client = client_for(personas.a, user)
    (message,) = sent(lambda: client.post("/comptes/email/", {"action_send": "", "email": user.email}))
    assert_from_the_collectivite(message)


def test_the_password_reset_email_names_the_collectivite(personas, client_for, sent):
    client = client_for(personas.a)
    (message,) = sent(lambda: client.post("/comptes/password/reset/", {"email": personas.a.admin.email}))
    assert_from_the_collectivite(message)
    assert "/comptes/password/reset/key/" in message.body


def test_the_email_of_another_collectivites_site_names_that_collectivite(personas, client_for, sent):
    (message,) = sent(
        lambda: client_for(personas.b).post("/comptes/password/reset/", {"email": personas.b.admin.email})
    )
    assert parseaddr(message.from_email)[0] == "Ville de Metz"
    assert "Ville de Metz" in message.body
    assert "Région Grand Est" not in message.body


def test_without_its_own_sender_the_collectivite_writes_from_the_platform_address(personas, client_for, sent, settings):
    settings.DEFAULT_FROM_EMAIL = "Solidaire <no-reply@solidaire.example>"
    personas.a.tenant.email_from = ""
    personas.a.tenant.save()
    (message,) = sent(lambda: client_for(personas.a).post("/comptes/password/reset/", {"email": "x@example.org"}))
    assert parseaddr(message.from_email) == (NAME, "no-reply@solidaire.example")
    assert message.message()["From"].encode().isascii()  # the accented name is encoded in the header


def test_the_branding_page_sets_the_sender_of_emails(tenant):
    form = BrandingForm(instance=tenant)
    assert "email_from" in form.fields
    assert str(form.fields["email_from"].label) and not form.fields["email_from"].required


# Every e-mail, sent by the code that sends it ----------------------------------------------------


@pytest.fixture
def recorded(monkeypatch):
    """What each e-mail was rendered from: (template, context, collectivité), product and allauth."""
    calls = []
    render, render_mail = emails.render, AccountAdapter.render_mail

    def spy(*, template, context, collectivite=None, language=None):
        calls.append(("product", template, dict(context), collectivite))
        return render(template=template, context=context, collectivite=collectivite, language=language)

    def spy_mail(self, template_prefix, email, context, headers=None):
        calls.append(("allauth", template_prefix, dict(context), context.get("collectivite")))
        return render_mail(self, template_prefix, email, context, headers)

    monkeypatch.setattr(emails, "render", spy)
    monkeypatch.setattr(AccountAdapter, "render_mail", spy_mail)
    return calls


def account_emails(personas, client_for, settings):
    """Every e-mail of allauth, through its own flows where the product uses them, through the
    adapter as allauth's flows call it for the others (notifications, codes)."""
    a = personas.a
    anonymous = client_for(a)
    anonymous.post(
        "/comptes/signup/", {"email": "new@example.org", "password1": "un-long-mot-de-passe", "password2": "x"}
    )
    anonymous.post(
        "/comptes/signup/",
        {"email": "new@example.org", "password1": "un-long-mot-de-passe", "password2": "un-long-mot-de-passe"},
    )
    client_for(a).post(
        "/comptes/signup/",
        {"email": a.admin.email, "password1": "un-long-mot-de-passe", "password2": "un-long-mot-de-passe"},
    )
    anonymous.post("/comptes/password/reset/", {"email": a.admin.email})
    anonymous.post("/comptes/password/reset/", {"email": "nobody@example.org"})
    unverified = UserFactory(email="unverified@example.org", verified=False)
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    client_for(a, unverified).post("/comptes/email/", {"action_send": "", "email": unverified.email})

    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    request = RequestFactory().post(
        "/comptes/password/change/",
        HTTP_HOST=a.host,
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        REMOTE_ADDR="203.0.113.7",
    )
    request.tenant, request.user = a.tenant, a.admin
    with allauth_context.request_context(request), translation.override("fr"):
        adapter = get_adapter(request)
        notifications = {
            "account/email/email_changed": {"from_email": a.admin.email, "to_email": "alice@grandest.fr"},
            "account/email/email_confirm": {},
            "account/email/email_deleted": {"deleted_email": "ancienne@example.org"},
            "account/email/password_changed": {},
            "account/email/password_reset": {},
            "account/email/password_set": {},
            "mfa/email/recovery_codes_generated": {},
            "mfa/email/totp_activated": {},
            "mfa/email/totp_deactivated": {},
            "mfa/email/webauthn_added": {},
            "mfa/email/webauthn_removed": {},
        }
        for template, context in notifications.items():
            adapter.send_notification_mail(template, a.admin, context)
        for template in ("account/email/login_code", "account/email/password_reset_code"):
            adapter.send_mail(template, a.admin.email, {"request": request, "user": a.admin, "code": "7KQ-2MX"})


def product_emails(personas):
    """Every e-mail of the product, sent by its own write paths and senders."""
    from solidaire.accounts.actions import add_admin, invite_member
    from solidaire.beneficiaries import notifications as beneficiaries
    from solidaire.ledger.models import CheckRun
    from solidaire.ledger.tasks import _tell_finance_officers
    from solidaire.payouts import actions as payouts
    from solidaire.payouts.models import PayoutSettings
    from solidaire.reporting.alerts import check_campaign
    from solidaire.vouchers import notifications as vouchers
    from solidaire.vouchers.actions import invite_staff
    from tests.donations.helpers import refund
    from tests.factories import CampaignFactory
    from tests.gifts import approved_registration, give
    from tests.vouchers.helpers import approved_offer

    a = personas.a
    invite_member(collectivite=a.tenant, email="nouvelle@example.org", role="moderator", actor=a.admin)
    invite_member(collectivite=a.tenant, email=personas.outsider.email, role="viewer", actor=a.admin)
    add_admin(collectivite=a.tenant, email="maire@example.org", actor=None)
    add_admin(collectivite=a.tenant, email=personas.b.viewer.email, actor=None)

    campaign = CampaignFactory(collectivite=a.tenant, slug="cafe-solidaire", title="Café Solidaire")
    cafe = approved_registration(campaign, owner=a.owner, name="Le Café des Arts")
    approved_offer(cafe)  # offer_decided
    invite_staff(establishment=cafe.establishment, email="serveuse@example.org", actor=a.owner)  # staff_invitation
    gift = give(cafe, 1000, email="dora@example.org")  # receipt, with its voucher
    vouchers.reminder(gift.voucher)
    refund(gift, actor=a.finance, amount_cents=400)  # reversed, in part
    refund(give(cafe, 500, email="dan@example.org"), actor=a.finance)  # reversed, whole
    Client(HTTP_HOST=a.host).post("/dons/mon-espace/", {"email": "dora@example.org"})  # privacy link, to a donor

    small = CampaignFactory(
        collectivite=a.tenant, slug="petit-budget", title="Petit budget", matching_budget_cents=1000
    )
    give(approved_registration(small, owner=a.owner, name="Le Bar du Port"), 1000, email="dora@example.org")
    check_campaign(small)  # the budget is all used: alerts at 80 % and 95 %

    beneficiaries.notify_moderators(cafe)
    for status, message in (("approved", ""), ("rejected", "Le SIRET ne correspond pas."), ("changes", "La photo")):
        cafe.status, cafe.decision_message = status, message
        beneficiaries.decision(cafe)
    beneficiaries.changes_decided(cafe.establishment, approved=True, message="")
    beneficiaries.changes_decided(cafe.establishment, approved=False, message="Texte trop long.")
    beneficiaries.payout_details_changed(cafe.establishment)

    PayoutSettings.objects.create(
        collectivite=a.tenant, debtor_name="REGION GRAND EST", iban="FR7630001007941234567890185", bic="BDFEFRPPCCT"
    )
    batch = payouts.prepare_batch(campaign=campaign, channel="matching", actor=a.finance)
    payouts.approve_batch(batch=batch, actor=a.admin, require_two_factor=False)
    payouts.mark_sent(batch=batch, actor=a.finance)

    detail = "Café Solidaire : les réserves disent 12,00 €, le journal 10,00 €"
    run = CheckRun.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        problems=1,
        violations=[{"invariant": "pools_match_journal", "detail": detail, "collectivite_id": a.tenant.pk}],
    )
    _tell_finance_officers(run, None)

    # Mutual aid: the first message of a conversation (on a request, on an offer), an answer.
    from solidaire.mutualaid import actions as mutualaid
    from solidaire.mutualaid import conversations
    from tests.mutualaid.helpers import write as write_post

    mutualaid.configure(collectivite=a.tenant, actor=a.admin, enabled=True, pre_moderation="sensitive")
    groceries = write_post(a.tenant, a.donor, title="Courses pour ma voisine")
    lifts = write_post(a.tenant, a.owner, kind="offer", title="Trajets en voiture")
    talk = conversations.start(post=groceries, person=personas.outsider, text="Je peux passer samedi.")
    conversations.write(conversation=talk, author=a.donor, text="Merci ! Appelez-moi au 06 12 34 56 78.")
    conversations.start(post=lifts, person=a.donor, text="Il me faudrait un trajet mardi.")

    # Mutual aid: the collectivité writes to the author of a request it follows up, and sends an
    # announcement to the members who asked for them.
    from solidaire.mutualaid import announcements, followup
    from solidaire.mutualaid.models import Announcement

    followup.write_to_author(post=groceries, staff=a.moderator, text="Bonjour, avez-vous trouvé de l’aide ?")
    announcements.set_preference(collectivite=a.tenant, user=a.donor, choice="all")
    announcements.publish(
        announcement=Announcement(collectivite=a.tenant, title="Pharmacies de garde", text="Ouvertes dimanche."),
        actor=a.moderator,
    )

    # Mutual aid, safety: a warning, a suspension, each with the reporter told the outcome, and a
    # dismissed report.
    from solidaire.mutualaid import safety

    for decision, reason in (("warn", "spam"), ("suspend", "harassment"), ("dismiss", "other")):
        report = safety.report(collectivite=a.tenant, reporter=a.donor, reason=reason, message=talk.messages.first())
        safety.decide(report=report, moderator=a.moderator, decision=decision, note="Restez courtois.")

    # Mutual aid: a "new near me" alert at once and a daily digest; the reminder before a post ends.
    from solidaire.geo.models import Commune
    from solidaire.mutualaid import alerts, reminders
    from solidaire.mutualaid.models import Post

    strasbourg = Commune.objects.get(pk="67482")
    alerts.save_alert(collectivite=a.tenant, user=a.viewer, commune=strasbourg, frequency="immediate")
    alerts.save_alert(collectivite=a.tenant, user=a.finance, commune=strasbourg, frequency="daily")
    ending = write_post(
        a.tenant,
        a.owner,
        title="Médicaments à chercher",
        slug="medicaments",
        ends_on=timezone.localdate() + timedelta(days=1),
    )
    alerts.send_digests(timezone.now() + timedelta(minutes=1))
    Post.objects.filter(pk=ending.pk).update(created_at=timezone.now() - timedelta(days=5))
    reminders.remind_expiring_posts()


@pytest.fixture
def every_email(personas, client_for, settings, sent, recorded):
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = False
    settings.RATELIMIT_ENABLE = False
    messages = sent(lambda: (product_emails(personas), account_emails(personas, client_for, settings)))
    return SimpleNamespace(messages=messages, rendered=list(recorded))


def test_every_email_template_is_sent_by_this_test(every_email):
    assert EVERY_TEMPLATE - {template for _kind, template, _context, _c in every_email.rendered} == set()


def test_every_email_comes_from_the_collectivite_and_names_it(every_email):
    assert len(every_email.messages) >= len(EVERY_TEMPLATE)
    for message in every_email.messages:
        assert parseaddr(message.from_email) == (NAME, SENDER), (message.subject, message.from_email)
        assert message.reply_to == [CONTACT], message.subject
        assert NAME in message.body, message.subject


def rendered_again(kind, template, context, collectivite, language) -> str:
    """The e-mail rendered from the same context in another language, as its sender would."""
    if kind == "product":
        subject, body = emails.render(template=template, context=context, collectivite=collectivite, language=language)
        return f"{subject}\n{body}"
    with allauth_context.request_context(context["request"]), translation.override(language):
        message = AccountAdapter(context["request"]).render_mail(template, context["email"], context)
    return f"{message.subject}\n{emails.sign(message.body, collectivite)}"


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_every_email_template_renders_without_an_empty_placeholder(every_email, language):
    found = {}
    for kind, template, context, collectivite in every_email.rendered:
        text = rendered_again(kind, template, context, collectivite, language)
        if empty_placeholders(text) or NAME not in text:
            found[template] = empty_placeholders(text) or ["the collectivité is not named"]
    assert found == {}


def test_the_placeholder_check_sees_an_empty_site_name():
    assert empty_placeholders("Bonjour, c'est  !")
    assert empty_placeholders("Merci d'utiliser  !\n")
    assert empty_placeholders("Votre don à None")
    assert empty_placeholders("Votre don à “” est confirmé")
    assert empty_placeholders("- Date : \n")
    assert empty_placeholders("Bonjour, c'est Région Grand Est !\n\n-- \nRégion Grand Est\n") == []


def test_an_email_sent_without_a_request_still_names_the_collectivite(tenant):
    subject, body = emails.render(
        template="vouchers/email/reminder",
        context={
            "voucher": SimpleNamespace(valid_until=timezone.localdate()),
            "establishment": SimpleNamespace(trade_name="Le Café des Arts"),
            "url": "http://grand-est.localhost/bons/1/",
        },
        collectivite=tenant,
    )
    assert body.rstrip().endswith(f"{NAME}\n{CONTACT}")
    assert emails.sender(tenant) == f'"{NAME}" <{SENDER}>'
    assert emails.sender(None) == emails.settings.DEFAULT_FROM_EMAIL
    assert DEFAULT_PASSWORD  # the personas sign in with it
