from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from solidaire.privacy import retention

# What each job's count is, in the command's report.
REPORT = {
    "donors": "gifts whose donor's identity was pseudonymised",
    "rejected_notifications": "rejected payment notifications emptied",
    "sessions": "expired sessions deleted",
    "logs": "log entries whose e-mail addresses became a fingerprint",
}


class Command(BaseCommand):
    help = (
        "Apply the retention periods now (also run daily by the beat): pseudonymise donors past their "
        "collectivité’s period, drop the bodies of old rejected notifications, delete expired sessions, "
        "pseudonymise old audit entries. --as-of runs it as on another date (YYYY-MM-DD); --dry-run "
        "says what it would do and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="run as on this date (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be done, change nothing")

    def handle(self, *args, **options):
        now = None
        if options["as_of"]:
            try:
                day = datetime.strptime(options["as_of"], "%Y-%m-%d")
            except ValueError as exc:
                raise CommandError("--as-of takes a date: YYYY-MM-DD") from exc
            now = timezone.make_aware(day)
        done = retention.run_all(now=now, dry_run=options["dry_run"])
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed. A real run now would count:")
        for job, count in done.items():
            self.stdout.write(f"{REPORT[job]}: {count}")
