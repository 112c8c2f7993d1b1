from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from solidaire.core.management.base import require_valid
from solidaire.tenants.actions import create_collectivite
from solidaire.tenants.forms import CollectiviteCreationForm
from solidaire.tenants.models import Kind

# Form fields whose command-line flag is not "--" + the field name, so errors name the right flag.
FLAGS = {
    "territory_departements": "--departements",
    "territory_communes": "--communes",
    "domains": "--domain",
    "main_colour": "--colour",
}


class Command(BaseCommand):
    help = (
        "Create a collectivité (tenant) with its territory and its first administrator, with the "
        "same checks as the operator’s back office. Example: solidaire create-tenant --kind region "
        "--name 'Région Grand Est' --slug grand-est --siren 200052264 --insee-code 44 "
        "--admin-email admin@example.org"
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=Kind.values, help="kind of collectivité")
        parser.add_argument("--name", required=True, help="official name, such as 'Région Grand Est'")
        parser.add_argument(
            "--slug", required=True, help="short name used in the sub-domain (letters, digits, hyphens)"
        )
        parser.add_argument("--siren", required=True, help="SIREN number (9 digits, checked)")
        parser.add_argument("--insee-code", default="", help="INSEE code of the région, département or commune")
        parser.add_argument(
            "--departements",
            default="",
            help="territory: département codes, space-separated (default: from --insee-code)",
        )
        parser.add_argument(
            "--communes",
            default="",
            help="territory: commune INSEE codes, space-separated (required for an intercommunalité)",
        )
        parser.add_argument(
            "--domain", action="append", default=[], help="custom host name leading to this collectivité (repeatable)"
        )
        parser.add_argument("--colour", default="#00597a", help="main colour, #rrggbb, dark enough for white text")
        parser.add_argument("--contact-email", default="", help="public contact e-mail")
        parser.add_argument("--admin-email", required=True, help="e-mail of the first administrator")
        parser.add_argument(
            "--admin-password",
            default=None,
            help="password of the first administrator; without it they get an e-mail to choose one",
        )

    def handle(self, *args, **options):
        form = CollectiviteCreationForm(
            data={
                "kind": options["kind"],
                "name": options["name"],
                "slug": options["slug"],
                "siren": options["siren"],
                "insee_code": options["insee_code"],
                "territory_departements": options["departements"],
                "territory_communes": options["communes"],
                "domains": " ".join(options["domain"]),
                "main_colour": options["colour"],
                "contact_email": options["contact_email"],
                "admin_email": options["admin_email"],
            }
        )
        require_valid(form, flags=FLAGS)
        if options["admin_password"]:
            try:
                password_validation.validate_password(options["admin_password"])
            except ValidationError as exc:
                raise CommandError("--admin-password: " + " ".join(exc.messages)) from exc
        try:
            with transaction.atomic():
                collectivite = create_collectivite(form=form, admin_password=options["admin_password"])
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {collectivite.name} ({collectivite.slug}) with {collectivite.communes.count()} communes; "
                f"administrator {options['admin_email']}."
            )
        )
