"""The payment settings page (/gestion/paiements/, admins only): choose the provider and give
its secrets. Secrets are write-only: never shown back, kept when the field is left empty;
Stripe's keys are checked before Stripe is chosen."""

import pytest

from solidaire.audit.models import AuditEvent
from solidaire.payments.models import PaymentAccount

from ..campaigns.helpers import text

pytestmark = pytest.mark.django_db

URL = "/gestion/paiements/"
SECRET_KEY = "sk_test_51Hx1234567890abcdefSECRET"
WEBHOOK_SECRET = "whsec_0123456789abcdefWEBHOOK"


def settings_data(**overrides) -> dict:
    data = {
        "provider": "sandbox",
        "stripe_secret_key": "",
        "stripe_webhook_secret": "",
        "sandbox_secret": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not False}


def account(tenant) -> PaymentAccount:
    return PaymentAccount.objects.get_or_create(collectivite=tenant)[0]


def test_admin_sees_the_provider_and_the_notification_address(personas, client_for):
    response = client_for(personas.a, personas.a.admin).get(URL)
    assert response.status_code == 200
    assert "http://grand-est.localhost/paiements/notifications/sandbox/" in text(response)


def test_stored_secrets_are_never_shown_back(personas, client_for):
    stored = account(personas.a.tenant)
    stored.stripe_secret_key, stored.stripe_webhook_secret = SECRET_KEY, WEBHOOK_SECRET
    stored.save()
    page = text(client_for(personas.a, personas.a.admin).get(URL))
    for secret in (SECRET_KEY, WEBHOOK_SECRET, stored.sandbox_secret):
        assert secret not in page
    assert "A value is stored. Leave empty to keep it." in page or "Une valeur est enregistrée" in page


def test_secrets_typed_into_a_refused_form_are_not_echoed(personas, client_for):
    response = client_for(personas.a, personas.a.admin).post(
        URL,
        settings_data(provider="stripe", stripe_secret_key="pk_live_PUBLISHABLE", stripe_webhook_secret=WEBHOOK_SECRET),
    )
    assert response.status_code == 400
    page = text(response)
    assert "pk_live_PUBLISHABLE" not in page
    assert WEBHOOK_SECRET not in page


def test_admin_switches_to_stripe_with_valid_keys(personas, client_for):
    response = client_for(personas.a, personas.a.admin).post(
        URL,
        settings_data(
            provider="stripe", stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET, stripe_connect="on"
        ),
    )
    assert response.status_code == 302
    saved = account(personas.a.tenant)
    assert (saved.provider, saved.stripe_secret_key, saved.stripe_webhook_secret, saved.stripe_connect) == (
        "stripe",
        SECRET_KEY,
        WEBHOOK_SECRET,
        True,
    )
    event = AuditEvent.objects.get(action="payments.settings_changed")
    assert event.actor == personas.a.admin
    assert SECRET_KEY not in str(event.data) and WEBHOOK_SECRET not in str(event.data)


def test_leaving_secrets_empty_keeps_the_stored_ones(personas, client_for):
    stored = account(personas.a.tenant)
    stored.provider, stored.stripe_secret_key, stored.stripe_webhook_secret = "stripe", SECRET_KEY, WEBHOOK_SECRET
    stored.save()
    sandbox_secret = stored.sandbox_secret
    response = client_for(personas.a, personas.a.admin).post(URL, settings_data(provider="stripe"))
    assert response.status_code == 302
    saved = account(personas.a.tenant)
    assert (saved.stripe_secret_key, saved.stripe_webhook_secret, saved.sandbox_secret) == (
        SECRET_KEY,
        WEBHOOK_SECRET,
        sandbox_secret,
    )


@pytest.mark.parametrize(
    ("key", "webhook", "field"),
    [
        ("pk_test_publishable", WEBHOOK_SECRET, "stripe_secret_key"),
        ("", WEBHOOK_SECRET, "stripe_secret_key"),
        (SECRET_KEY, "secret", "stripe_webhook_secret"),
        (SECRET_KEY, "", "stripe_webhook_secret"),
    ],
)
def test_stripe_needs_a_secret_key_and_a_webhook_secret(personas, client_for, key, webhook, field):
    response = client_for(personas.a, personas.a.admin).post(
        URL, settings_data(provider="stripe", stripe_secret_key=key, stripe_webhook_secret=webhook)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert account(personas.a.tenant).provider == "sandbox"


def test_restricted_keys_are_accepted(personas, client_for):
    response = client_for(personas.a, personas.a.admin).post(
        URL,
        settings_data(provider="stripe", stripe_secret_key="rk_live_restricted", stripe_webhook_secret=WEBHOOK_SECRET),
    )
    assert response.status_code == 302


def test_a_new_sandbox_secret_can_be_generated(personas, client_for):
    before = account(personas.a.tenant).sandbox_secret
    client_for(personas.a, personas.a.admin).post(URL, settings_data(new_sandbox_secret="on"))
    after = account(personas.a.tenant).sandbox_secret
    assert after != before and after.startswith("whsec_")


def test_sandbox_switches_are_saved(personas, client_for):
    client_for(personas.a, personas.a.admin).post(
        URL, settings_data(sandbox_duplicate="on", sandbox_reorder="on", sandbox_delay="on")
    )
    saved = account(personas.a.tenant)
    assert (saved.sandbox_duplicate, saved.sandbox_reorder, saved.sandbox_delay) == (True, True, True)


def test_settings_of_one_collectivite_leave_the_other_alone(personas, client_for):
    other = account(personas.b.tenant)
    client_for(personas.a, personas.a.admin).post(
        URL, settings_data(provider="stripe", stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET)
    )
    assert account(personas.b.tenant).provider == "sandbox"
    assert account(personas.b.tenant).sandbox_secret == other.sandbox_secret


@pytest.mark.parametrize("role", ["moderator", "finance", "viewer"])
def test_team_members_who_are_not_admins_are_refused(personas, client_for, role):
    client = client_for(personas.a, getattr(personas.a, role))
    assert client.get(URL).status_code == 403
    assert (
        client.post(
            URL, settings_data(provider="stripe", stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET)
        ).status_code
        == 403
    )
    assert account(personas.a.tenant).provider == "sandbox"


def test_admin_of_another_collectivite_and_outsiders_are_refused(personas, client_for):
    assert client_for(personas.a, personas.b.admin).get(URL).status_code == 403
    assert client_for(personas.a, personas.outsider).get(URL).status_code == 403
    assert client_for(personas.a, personas.a.owner).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(personas, client_for):
    response = client_for(personas.a).get(URL)
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]
