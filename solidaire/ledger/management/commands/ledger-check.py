from django.core.management.base import BaseCommand, CommandError

from solidaire.ledger.checks import check_all


class Command(BaseCommand):
    help = (
        "Recompute every money invariant from the journal and the matching tables: balanced entries, "
        "0 <= matched + reserved <= budget, caps and limits, one match per gift, one application per "
        "notification, beneficiary balances >= 0. Exits non-zero naming the first broken one."
    )

    def handle(self, *args, **options):
        violations = check_all()
        if violations:
            for violation in violations[1:]:
                self.stderr.write(f"also: {violation}")
            raise CommandError(f"invariant broken — {violations[0]}")
        self.stdout.write(self.style.SUCCESS("ledger ok: every invariant holds"))
