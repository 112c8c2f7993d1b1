"""Stripe Connect accounts of the establishments (/gestion/paiements/etablissements/, admins):
the admin finds an establishment and gives the acct_… id its gifts are transferred to. A bad id
gets a clear, translated error and changes nothing; every change is in the audit log; another
collectivité’s establishments are out of reach."""

import pytest

from solidaire.audit.models import AuditEvent
from solidaire.beneficiaries.models import Establishment
from solidaire.donations import actions
from solidaire.payments.models import PaymentAccount
from solidaire.payments.providers.stripe import StripeProvider

from ..accounts.helpers import page_text, translated
from ..beneficiaries.helpers import cafe_campaign
from ..gifts import approved_registration
from .stripe_fakes import SECRET_KEY, FakeStripe

pytestmark = pytest.mark.django_db

LIST = "/gestion/paiements/etablissements/"
ACCOUNT = "acct_1Nv0FGQ9RKHgCVdK"


@pytest.fixture
def cafes(personas):
    campaign = cafe_campaign(personas.a)
    return [
        approved_registration(campaign, name="Le Café des Arts").establishment,
        approved_registration(campaign, name="Bar du Port", commune="68066").establishment,
    ]


def edit_url(establishment) -> str:
    return f"{LIST}{establishment.pk}/"


def test_the_admin_lists_the_establishments_and_their_accounts(personas, client_for, cafes):
    Establishment.objects.filter(pk=cafes[0].pk).update(stripe_account_id=ACCOUNT)
    response = client_for(personas.a, personas.a.admin).get(LIST)
    assert response.status_code == 200
    page = page_text(response)
    assert "Le Café des Arts" in page and "Bar du Port" in page and ACCOUNT in page
    assert (
        translated("Stripe Connect is not turned on in the payment settings: these accounts are not used yet.") in page
    )


@pytest.mark.parametrize(("query", "found"), [("cafe des arts", "Le Café des Arts"), ("COLMAR", "Bar du Port")])
def test_search_by_name_or_commune_accent_and_case_free(personas, client_for, cafes, query, found):
    page = page_text(client_for(personas.a, personas.a.admin).get(LIST, {"q": query}))
    others = {"Le Café des Arts", "Bar du Port"} - {found}
    assert found in page and not any(other in page for other in others)


def test_only_those_without_an_account(personas, client_for, cafes):
    Establishment.objects.filter(pk=cafes[0].pk).update(stripe_account_id=ACCOUNT)
    page = page_text(client_for(personas.a, personas.a.admin).get(LIST, {"missing": "1"}))
    assert "Bar du Port" in page and "Le Café des Arts" not in page


def test_the_admin_sets_an_account_and_it_is_audited(personas, client_for, cafes):
    response = client_for(personas.a, personas.a.admin).post(edit_url(cafes[0]), {"stripe_account_id": f" {ACCOUNT} "})
    assert (response.status_code, response["Location"]) == (302, LIST)
    cafes[0].refresh_from_db()
    assert cafes[0].stripe_account_id == ACCOUNT
    event = AuditEvent.objects.get(action="payments.connect_account_changed")
    assert (event.actor, event.data) == (personas.a.admin, {"before": "", "after": ACCOUNT})


def test_clearing_the_account_stops_transfers(personas, client_for, cafes):
    Establishment.objects.filter(pk=cafes[0].pk).update(stripe_account_id=ACCOUNT)
    client_for(personas.a, personas.a.admin).post(edit_url(cafes[0]), {"stripe_account_id": ""})
    cafes[0].refresh_from_db()
    assert cafes[0].stripe_account_id == ""


def test_saving_the_same_account_records_nothing(personas, client_for, cafes):
    Establishment.objects.filter(pk=cafes[0].pk).update(stripe_account_id=ACCOUNT)
    client_for(personas.a, personas.a.admin).post(edit_url(cafes[0]), {"stripe_account_id": ACCOUNT})
    assert not AuditEvent.objects.filter(action="payments.connect_account_changed").exists()


@pytest.mark.parametrize(
    "bad", ["acct_", "cus_1Nv0FGQ9RKHgCVdK", "acct_1Nv0 FGQ9", "acct_<script>", "acct_" + "x" * 40]
)
@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_a_bad_id_is_refused_in_the_admins_language_and_changes_nothing(personas, client_for, cafes, bad, language):
    prefix = "" if language == "fr" else f"/{language}"
    response = client_for(personas.a, personas.a.admin).post(prefix + edit_url(cafes[0]), {"stripe_account_id": bad})
    assert response.status_code == 400
    assert translated("A Stripe account ID looks like acct_1Nv0FGQ9RKHgCVdK.", language) in page_text(response)
    assert "<script>" not in response.content.decode()
    cafes[0].refresh_from_db()
    assert cafes[0].stripe_account_id == ""
    assert not AuditEvent.objects.filter(action="payments.connect_account_changed").exists()


def test_the_account_set_here_receives_the_gifts(personas, client_for, cafes):
    """With Connect on, the checkout transfers the gift to the account given on this page."""
    account, _ = PaymentAccount.objects.get_or_create(collectivite=personas.a.tenant)
    account.provider, account.stripe_secret_key, account.stripe_connect = "stripe", SECRET_KEY, True
    account.save()
    client_for(personas.a, personas.a.admin).post(edit_url(cafes[0]), {"stripe_account_id": ACCOUNT})
    fake = FakeStripe()
    registration = cafes[0].registrations.get()
    gift, _token = actions.create_gift(registration=registration, amount_cents=500, email="dora@example.org")
    StripeProvider(account, http_client=fake).create_checkout(
        gift, success_url="https://x/ok", cancel_url="https://x/ko", notify_url="unused"
    )
    assert fake.requests[-1]["form"]["payment_intent_data[transfer_data][destination]"] == ACCOUNT


def test_establishments_of_another_collectivite_are_not_found(personas, client_for, cafes):
    theirs = approved_registration(cafe_campaign(personas.b, slug="metz"), commune="57463").establishment
    admin_a = client_for(personas.a, personas.a.admin)
    assert admin_a.get(edit_url(theirs)).status_code == 404
    assert admin_a.post(edit_url(theirs), {"stripe_account_id": ACCOUNT}).status_code == 404
    assert theirs.trade_name not in page_text(admin_a.get(LIST))
    theirs.refresh_from_db()
    assert theirs.stripe_account_id == ""


@pytest.mark.parametrize("role", ["moderator", "finance", "viewer", "owner"])
def test_only_admins_set_accounts(personas, client_for, cafes, role):
    response = client_for(personas.a, getattr(personas.a, role)).post(
        edit_url(cafes[0]), {"stripe_account_id": ACCOUNT}
    )
    assert response.status_code == 403
    cafes[0].refresh_from_db()
    assert cafes[0].stripe_account_id == ""
