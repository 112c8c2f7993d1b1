from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from solidaire.privacy import retention


class Command(BaseCommand):
    help = (
        "Apply the retention periods now (also run daily by the beat): pseudonymise donors past their "
        "collectivité’s period, drop the bodies of old rejected notifications, delete expired sessions, "
        "pseudonymise old audit entries. --as-of runs it as on another date (YYYY-MM-DD)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="run as on this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        now = None
        if options["as_of"]:
            try:
                day = datetime.strptime(options["as_of"], "%Y-%m-%d")
            except ValueError as exc:
                raise CommandError("--as-of takes a date: YYYY-MM-DD") from exc
            now = timezone.make_aware(day)
        for job, count in retention.run_all(now=now).items():
            self.stdout.write(f"{job}: {count}")
