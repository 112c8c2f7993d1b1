from django.core.management.base import BaseCommand

from solidaire.donations.reconciliation import reconcile_pending


class Command(BaseCommand):
    help = (
        "Ask the payment providers about gifts still pending and apply what they say, through the same "
        "notification inbox as their notifications (each answer applies at most once)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=15,
            metavar="MINUTES",
            help="only gifts started at least this many minutes ago (default 15)",
        )

    def handle(self, *args, **options):
        counts = reconcile_pending(older_than_minutes=options["older_than"])
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
