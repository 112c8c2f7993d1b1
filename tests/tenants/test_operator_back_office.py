"""The platform operator’s back office (/operator/, Django admin): creating a collectivité there
gives it its territory, first administrator and audit trail, exactly like the command."""

import pytest
from django.core import mail
from django.test import Client

from solidaire.accounts.models import Membership, User
from solidaire.audit.models import AuditEvent
from solidaire.geo.models import Commune
from solidaire.tenants.models import Collectivite, Domain

from ..accounts.helpers import counts, links_in, only_mail_to, signed_in_with_two_factor

ADD_URL = "/operator/tenants/collectivite/add/"


OPERATOR_HOST = "operator.localhost"


@pytest.fixture(autouse=True)
def _operator_host(settings):
    settings.SOLIDAIRE_OPERATOR_HOST = OPERATOR_HOST


@pytest.fixture
def operator(db):
    return User.objects.create_superuser(email="operator@solidaire.example", password="operator-password")


@pytest.fixture
def operator_client(operator):
    """The operator, signed in on the operator’s host with two-factor authentication."""
    return signed_in_with_two_factor(Client(HTTP_HOST=OPERATOR_HOST), operator)


def form_data(**overrides):
    data = {
        "name": "Département de la Moselle",
        "kind": "departement",
        "slug": "moselle",
        "siren": "225700012",
        "insee_code": "57",
        "main_colour": "#00597a",
        "contact_email": "contact@moselle.example",
        "territory_departements": "",
        "territory_communes": "",
        "domains": "solidaire.moselle.fr",
        "admin_email": "admin@moselle.example",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_add_form_shows_territory_and_administrator_fields(operator_client):
    response = operator_client.get(ADD_URL)
    assert response.status_code == 200
    content = response.content.decode()
    for field in ("territory_departements", "territory_communes", "domains", "admin_email"):
        assert f'name="{field}"' in content


def test_adding_a_collectivite_creates_territory_admin_domain_and_audit_event(
    operator, operator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(ADD_URL, form_data())
    assert response.status_code == 302
    assert response["Location"] == "/operator/tenants/collectivite/"

    collectivite = Collectivite.objects.get(slug="moselle")
    assert collectivite.communes.count() == Commune.objects.filter(departement="57").count() == 725
    assert list(collectivite.domains.values_list("host", flat=True)) == ["solidaire.moselle.fr"]

    admin = User.objects.get(email="admin@moselle.example")
    assert Membership.objects.get(user=admin, collectivite=collectivite).role == "admin"

    events = AuditEvent.objects.filter(collectivite=collectivite).order_by("pk")
    assert [e.action for e in events] == ["tenant.created", "team.admin_created"]
    assert all(e.actor == operator and e.actor_label == "operator@solidaire.example" for e in events)

    message = only_mail_to("admin@moselle.example")
    assert "Département de la Moselle" in message.subject
    assert "http://solidaire.moselle.fr/comptes/password/reset/" in links_in(message)


def test_adding_an_intercommunalite_uses_the_listed_communes(operator_client):
    response = operator_client.post(
        ADD_URL,
        form_data(
            kind="intercommunalite",
            name="Val de Fensch",
            slug="val-de-fensch",
            siren="245701362",
            insee_code="",
            domains="",
            territory_communes="57221\n57672",
        ),
    )
    assert response.status_code == 302
    collectivite = Collectivite.objects.get(slug="val-de-fensch")
    assert sorted(collectivite.communes.values_list("pk", flat=True)) == ["57221", "57672"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"siren": "225700013"}, "siren"),
        ({"insee_code": "999"}, "insee_code"),
        ({"main_colour": "#eeeeee"}, "main_colour"),
        ({"kind": "intercommunalite", "insee_code": ""}, "territory_communes"),
        ({"admin_email": "nobody"}, "admin_email"),
    ],
)
def test_invalid_add_form_is_shown_again_and_creates_nothing(operator_client, overrides, field):
    before = counts(Collectivite, User, Membership, Domain, AuditEvent)
    response = operator_client.post(ADD_URL, form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert counts(Collectivite, User, Membership, Domain, AuditEvent) == before
    assert mail.outbox == []


def test_repeated_domain_in_the_add_form_is_created_once(operator_client):
    response = operator_client.post(ADD_URL, form_data(domains="solidaire.moselle.fr Solidaire.Moselle.fr."))
    assert response.status_code == 302
    assert list(Domain.objects.values_list("host", flat=True)) == ["solidaire.moselle.fr"]


def test_domain_of_another_collectivite_is_refused_in_the_add_form(personas, operator_client):
    Domain.objects.create(collectivite=personas.b.tenant, host="solidaire.moselle.fr")
    response = operator_client.post(ADD_URL, form_data())
    assert response.status_code == 200
    assert "domains" in response.context["adminform"].form.errors
    assert not Collectivite.objects.filter(slug="moselle").exists()


def test_change_form_of_an_existing_collectivite_opens(personas, operator_client):
    response = operator_client.get(f"/operator/tenants/collectivite/{personas.a.tenant.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert str(personas.a.admin) in content
    assert str(personas.b.admin) not in content


def test_operator_deactivates_a_collectivite_and_its_site_closes(personas, operator_client):
    tenant = personas.b.tenant
    url = f"/operator/tenants/collectivite/{tenant.pk}/change/"
    form = operator_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "logo"}
    data.update({"is_active": "", "_save": "Save"})
    for prefix in ("domains", "memberships"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    tenant.refresh_from_db()
    assert tenant.is_active is False
    assert Client(HTTP_HOST="metz.localhost").get("/").status_code == 404


def test_collectivite_admins_cannot_open_the_operator_back_office(personas):
    client = Client(HTTP_HOST=OPERATOR_HOST)
    client.force_login(personas.a.admin)
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")
    assert client.post(ADD_URL, form_data()).status_code == 302
    assert not Collectivite.objects.filter(slug="moselle").exists()


def test_audit_events_cannot_be_changed_or_deleted_in_the_operator_back_office(personas, operator_client):
    from solidaire.audit.events import record

    event = record(collectivite=personas.a.tenant, actor=personas.a.admin, action="team.invited", label="x@example.org")
    assert operator_client.get("/operator/audit/auditevent/add/").status_code == 403
    response = operator_client.post(f"/operator/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
