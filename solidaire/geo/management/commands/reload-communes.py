from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from solidaire.geo.loader import load_reference_data


class Command(BaseCommand):
    help = (
        "Load the shipped list of régions, départements and communes into the database, correcting "
        "what an earlier copy left (names, postal codes, positions), and move the establishments placed "
        "at a position that changed. `migrate` does the same."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        result = load_reference_data(using=options["database"])
        self.stdout.write(
            f"Communes added: {result['added']}, corrected: {result['updated']}, "
            f"whose position changed: {len(result['moved'])}."
        )
