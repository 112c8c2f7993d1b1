from django.core.management.base import BaseCommand

from solidaire.donations.reconciliation import reconcile
from solidaire.payments import inbox


class Command(BaseCommand):
    help = (
        "Ask the payment providers about gifts whose state is still awaited (payment, refund, details) and "
        "apply what they say, through the same notification inbox as their notifications (each answer applies "
        "at most once); apply again notifications a crash left unapplied. Gifts that cannot be settled are "
        "listed and asked about again later."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="ask about every gift still waiting, not only those whose next check is due",
        )

    def handle(self, *args, **options):
        retried = inbox.retry_unfinished()
        counts = reconcile(everything=options["all"])
        problems = counts.pop("problems")
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
        self.stdout.write(f"notifications applied again: {retried['applied']} of {retried['retried']}")
        for problem in problems:
            self.stderr.write(f"not settled: {problem}")
