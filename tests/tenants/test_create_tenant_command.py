"""`solidaire create-tenant`: the operator’s scripted way to create a collectivité, its territory
and its first administrator, with the back office's checks."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from solidaire.accounts.models import Invitation, Membership, User
from solidaire.audit.models import AuditEvent
from solidaire.geo.models import Commune
from solidaire.tenants.models import Collectivite, Domain

from ..accounts.helpers import counts, links_in, logged_in_user_id, only_mail_to

MODELS = (Collectivite, User, Membership, Domain, AuditEvent, Invitation, EmailAddress)


def create_tenant(**options):
    args = {
        "kind": "region",
        "name": "Région Grand Est",
        "slug": "grand-est",
        "siren": "200052264",
        "insee_code": "44",
        "admin_email": "admin@grandest.example",
    }
    args.update(options)
    argv = []
    for key, value in args.items():
        for item in value if isinstance(value, list) else [value]:
            argv += [f"--{key.replace('_', '-')}", item]
    return call_command("create-tenant", *argv)


@pytest.fixture
def run(db, django_capture_on_commit_callbacks):
    """Runs the command and the e-mails it queues after commit."""

    def go(**options):
        with django_capture_on_commit_callbacks(execute=True):
            create_tenant(**options)
        return Collectivite.objects.get(slug=options.get("slug", "grand-est"))

    return go


def test_region_territory_is_every_commune_of_the_region(run):
    collectivite = run()
    assert collectivite.kind == "region"
    assert collectivite.name == "Région Grand Est"
    assert collectivite.communes.count() == 5115
    # Region 44 is Grand Est, not the département 44 (Loire-Atlantique).
    assert not collectivite.communes.filter(departement="44").exists()
    assert collectivite.communes.filter(pk="57463").exists()
    assert set(collectivite.departement_codes()) == {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}


def test_departement_territory_is_every_commune_of_the_departement(run):
    collectivite = run(kind="departement", name="Département de la Moselle", slug="moselle", insee_code="57")
    assert collectivite.communes.count() == Commune.objects.filter(departement="57").count() == 725
    assert collectivite.departement_codes() == ["57"]


def test_commune_territory_is_the_commune_itself(run):
    collectivite = run(kind="commune", name="Ville de Metz", slug="metz", siren="215704636", insee_code="57463")
    assert list(collectivite.communes.values_list("pk", flat=True)) == ["57463"]


def test_intercommunalite_territory_is_the_listed_communes(run):
    collectivite = run(
        kind="intercommunalite",
        name="Communauté d'agglomération du Val de Fensch",
        slug="val-de-fensch",
        siren="245701362",
        insee_code="",
        communes="57221, 57672",
    )
    assert sorted(collectivite.communes.values_list("pk", flat=True)) == ["57221", "57672"]


def test_territory_can_be_given_as_departements(run):
    collectivite = run(kind="region", departements="67 68")
    assert collectivite.departement_codes() == ["67", "68"]
    assert collectivite.communes.count() == Commune.objects.filter(departement__in=["67", "68"]).count()


def test_colour_with_just_enough_contrast_is_accepted(run):
    # #767676 on white is 4.54:1, the lightest grey that passes WCAG AA.
    assert run(colour="#767676").main_colour == "#767676"


def test_custom_domains_are_created_and_lead_to_the_collectivite(run, settings):
    collectivite = run(domain=["solidaire.grandest.fr", "Dons.GrandEst.fr"])
    assert sorted(collectivite.domains.values_list("host", flat=True)) == ["dons.grandest.fr", "solidaire.grandest.fr"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "dons.grandest.fr"]
    response = Client(HTTP_HOST="dons.grandest.fr").get("/")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == collectivite


def test_repeated_domain_is_created_once(run):
    collectivite = run(domain=["solidaire.grandest.fr", "SOLIDAIRE.grandest.fr"])
    assert list(collectivite.domains.values_list("host", flat=True)) == ["solidaire.grandest.fr"]


def test_first_admin_is_created_with_a_verified_address_and_admin_role(run):
    collectivite = run(admin_email="Admin@GrandEst.example")
    user = User.objects.get(email="admin@grandest.example")
    membership = Membership.objects.get(user=user)
    assert membership.collectivite == collectivite
    assert membership.role == "admin"
    assert EmailAddress.objects.filter(user=user, email="admin@grandest.example", verified=True).exists()


def test_creation_is_recorded_in_the_collectivites_audit_log(run):
    collectivite = run()
    events = AuditEvent.objects.filter(collectivite=collectivite).order_by("pk")
    assert [e.action for e in events] == ["tenant.created", "team.admin_created"]
    assert all(e.actor is None and e.actor_label == "system" for e in events)
    assert events[0].data["communes"] == 5115
    assert events[1].object_label == "admin@grandest.example"


def test_without_password_the_admin_gets_an_email_to_choose_one(run):
    run()
    user = User.objects.get(email="admin@grandest.example")
    assert not user.has_usable_password()
    message = only_mail_to("admin@grandest.example")
    assert "Région Grand Est" in message.subject
    assert "http://grand-est.localhost/comptes/password/reset/" in links_in(message)


def test_admin_without_password_can_choose_one_from_the_email_and_sign_in(run, django_capture_on_commit_callbacks):
    run()
    client = Client(HTTP_HOST="grand-est.localhost")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comptes/password/reset/", {"email": "admin@grandest.example"})
    assert response.status_code == 302
    reset_link = next(link for link in links_in(only_mail_to("admin@grandest.example")) if "/key/" in link)
    response = client.get(reset_link.split("grand-est.localhost", 1)[1], follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "Une-tres-bonne-phrase", "password2": "Une-tres-bonne-phrase"})
    assert response.status_code == 302
    assert User.objects.get(email="admin@grandest.example").check_password("Une-tres-bonne-phrase")
    response = client.post("/comptes/login/", {"login": "admin@grandest.example", "password": "Une-tres-bonne-phrase"})
    assert response.status_code == 302
    assert logged_in_user_id(client) is not None
    assert client.get("/gestion/equipe/").status_code == 200


def test_with_password_the_admin_can_sign_in_at_once_and_is_told_where(run):
    run(admin_password="Un-mot-de-passe-solide")
    [message] = mail.outbox
    assert message.to == ["admin@grandest.example"]
    assert "http://grand-est.localhost/gestion/" in message.body
    assert "password" not in message.body.lower() and "mot de passe" not in message.body.lower()
    client = Client(HTTP_HOST="grand-est.localhost")
    response = client.post("/comptes/login/", {"login": "admin@grandest.example", "password": "Un-mot-de-passe-solide"})
    assert response.status_code == 302
    user = User.objects.get(email="admin@grandest.example")
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get("/gestion/equipe/").status_code == 200


def test_existing_person_becomes_admin_without_losing_their_password(personas, run):
    otto = personas.outsider
    collectivite = run(slug="moselle", kind="departement", insee_code="57", siren="225700012", admin_email=otto.email)
    otto.refresh_from_db()
    assert otto.check_password("correct-horse-battery")
    assert Membership.objects.get(user=otto).collectivite == collectivite
    assert User.objects.filter(email=otto.email).count() == 1


def test_success_message_says_what_was_created(db, capsys):
    create_tenant()
    out = capsys.readouterr().out
    assert "Région Grand Est" in out
    assert "5115 communes" in out
    assert "admin@grandest.example" in out


INVALID = [
    pytest.param({"siren": "200052265"}, "--siren", id="siren-bad-check-digit"),
    pytest.param({"siren": "12345"}, "--siren", id="siren-too-short"),
    pytest.param({"insee_code": "99"}, "--insee-code", id="unknown-region"),
    pytest.param({"kind": "departement", "insee_code": "999"}, "--insee-code", id="unknown-departement"),
    pytest.param({"kind": "commune", "insee_code": "57999"}, "--insee-code", id="unknown-commune"),
    pytest.param({"insee_code": ""}, "--insee-code", id="region-without-code"),
    pytest.param({"insee_code": "4x"}, "--insee-code", id="malformed-code"),
    pytest.param({"kind": "intercommunalite", "insee_code": ""}, "--communes", id="interco-without-communes"),
    pytest.param({"communes": "57463 99999"}, "--communes", id="unknown-commune-in-territory"),
    pytest.param({"departements": "57 999"}, "--departements", id="unknown-departement-in-territory"),
    pytest.param({"colour": "#ffdd00"}, "--colour", id="colour-too-light"),
    pytest.param({"colour": "#777777"}, "--colour", id="colour-contrast-4.48"),
    pytest.param({"colour": "blue"}, "--colour", id="colour-not-hex"),
    pytest.param({"domain": ["not a host"]}, "--domain", id="domain-not-a-host"),
    pytest.param({"admin_email": "not-an-address"}, "--admin-email", id="admin-email-invalid"),
    pytest.param({"slug": "Grand Est!"}, "--slug", id="slug-invalid"),
]


@pytest.mark.parametrize(("options", "flag"), INVALID)
def test_invalid_input_names_the_flag_and_creates_nothing(db, options, flag):
    before = counts(*MODELS)
    with pytest.raises(CommandError) as error:
        create_tenant(**options)
    assert f"{flag}:" in str(error.value)
    assert counts(*MODELS) == before
    assert mail.outbox == []


def test_duplicate_slug_is_refused_and_creates_nothing(personas):
    before = counts(*MODELS)
    with pytest.raises(CommandError) as error:
        create_tenant(slug="grand-est", siren="225700012", admin_email="new@example.org")
    assert "--slug:" in str(error.value)
    assert counts(*MODELS) == before
    assert not User.objects.filter(email="new@example.org").exists()


def test_duplicate_siren_is_refused_and_creates_nothing(personas):
    before = counts(*MODELS)
    with pytest.raises(CommandError) as error:
        create_tenant(slug="grand-est-2", siren="200052264", admin_email="new@example.org")
    assert "--siren:" in str(error.value)
    assert counts(*MODELS) == before


def test_domain_already_used_by_another_collectivite_is_refused_and_creates_nothing(personas):
    Domain.objects.create(collectivite=personas.b.tenant, host="solidaire.metz.fr")
    before = counts(*MODELS)
    with pytest.raises(CommandError) as error:
        create_tenant(slug="moselle", siren="225700012", domain=["solidaire.metz.fr"], admin_email="new@example.org")
    assert "--domain:" in str(error.value)
    assert "solidaire.metz.fr" in str(error.value)
    assert counts(*MODELS) == before
    assert Domain.objects.get(host="solidaire.metz.fr").collectivite == personas.b.tenant


def test_every_error_is_reported_at_once(db):
    with pytest.raises(CommandError) as error:
        create_tenant(siren="1", colour="#ffffff", kind="intercommunalite", insee_code="")
    message = str(error.value)
    for flag in ("--siren:", "--colour:", "--communes:"):
        assert flag in message


def test_unknown_kind_is_refused_by_the_parser(db):
    with pytest.raises(CommandError) as error:
        create_tenant(kind="canton")
    assert "--kind" in str(error.value)
    assert Collectivite.objects.count() == 0


def test_missing_admin_email_is_refused(db):
    with pytest.raises(CommandError) as error:
        call_command("create-tenant", "--kind", "region", "--name", "X", "--slug", "x", "--siren", "200052264")
    assert "--admin-email" in str(error.value)
    assert Collectivite.objects.count() == 0


def test_custom_domain_outside_the_allowed_hosts_is_refused(db):
    with pytest.raises(CommandError, match="--domain: .*dons.ailleurs.example.*SOLIDAIRE_ALLOWED_HOSTS"):
        create_tenant(domain=["dons.ailleurs.example"])
    assert not Collectivite.objects.exists()


def test_custom_domain_under_the_platform_domain_is_refused(db):
    """metz.localhost belongs to the collectivité whose slug is metz: another may not take it."""
    with pytest.raises(CommandError, match="--domain: metz.localhost"):
        create_tenant(domain=["metz.localhost"])
    assert not Collectivite.objects.exists()


def test_admin_password_must_pass_the_password_rules(db):
    with pytest.raises(CommandError, match="--admin-password"):
        create_tenant(admin_password="1234")
    assert not Collectivite.objects.exists()
