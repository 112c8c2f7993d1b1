import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from solidaire.demo.seed import DEMO_PASSWORD, sample_voucher, seed
from solidaire.demo.welcome import welcome_text


class Command(BaseCommand):
    help = "Create or complete the demo data (Région Grand Est, campaign Café Solidaire) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--welcome-file",
            metavar="FILE",
            help="write the addresses and logins to FILE instead of printing them (`serve --welcome FILE` "
            "prints them once the server is listening)",
        )

    def handle(self, *args, **options):
        logins = seed()
        port = os.environ.get("SOLIDAIRE_PUBLIC_PORT") or os.environ.get("PORT") or "8000"
        voucher = sample_voucher()
        text = welcome_text(
            logins=logins,
            password=DEMO_PASSWORD,
            port=port,
            operator_host=settings.SOLIDAIRE_OPERATOR_HOST,
            voucher_url=f"http://127.0.0.1:{port}/bons/{voucher.pk}/?t={voucher.token}" if voucher else "",
        )
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        if options["welcome_file"]:
            Path(options["welcome_file"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text.rstrip("\n"))
