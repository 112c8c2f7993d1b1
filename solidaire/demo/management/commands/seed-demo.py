import os

from django.core.management.base import BaseCommand

from solidaire.demo.seed import DEMO_PASSWORD, sample_voucher, seed


class Command(BaseCommand):
    help = "Create or complete the demo data (Région Grand Est, campaign Café Solidaire) and print the logins."

    def handle(self, *args, **options):
        logins = seed()
        self.stdout.write(self.style.SUCCESS(f"Demo ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.collectivite:<22} {login.role:<20} {login.email}")
        voucher = sample_voucher()
        if voucher is not None:
            self.stdout.write(
                "A donor's voucher to try the counter of cafe@grandest.example (open it, then "
                "type its code at the counter):"
            )
            self.stdout.write(
                f"  http://127.0.0.1:{os.environ.get('PORT', '8000')}/bons/{voucher.pk}/?t={voucher.token}"
            )
