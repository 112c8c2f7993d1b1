"""What ledger-check recomputes about vouchers: what is left on each is its value less what was
withdrawn (partial refunds) and what was used; offers' issued counts; a disputed gift's voucher is
on hold, and only then."""

from collections.abc import Iterator

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from solidaire.ledger.checks import Violation, register

from .models import Offer, OfferKind, Voucher, VoucherStatus


@register(order=70)
def voucher_balances() -> Iterator[Violation]:
    used = Coalesce(Sum("redemptions__amount_cents", filter=Q(redemptions__undone_at=None)), Value(0))
    wrong = (
        Voucher.objects.filter(kind=OfferKind.VALUE)
        .annotate(used=used)
        .annotate(expected=Greatest(F("value_cents") - F("withdrawn_cents") - F("used"), Value(0)))
        .exclude(remaining_cents=F("expected"))
        .values("code", "remaining_cents", "expected", "collectivite_id")[:5]
    )
    for row in wrong:
        yield Violation(
            "voucher balances",
            f"voucher {row['code']}: {row['remaining_cents']} left, its value and redemptions say {row['expected']}",
            row["collectivite_id"],
        )
    issued = Offer.objects.annotate(n=Count("vouchers")).exclude(issued_count=F("n"))
    for offer in issued.select_related("registration__campaign")[:5]:
        yield Violation(
            "voucher balances",
            f"offer {offer.pk}: {offer.issued_count} issued, {offer.n} vouchers",
            offer.registration.campaign.collectivite_id,
        )


@register(order=71)
def vouchers_of_disputed_gifts() -> Iterator[Violation]:
    frozen_wrongly = Voucher.objects.filter(status=VoucherStatus.FROZEN).exclude(gift__status="disputed")
    usable_while_disputed = Voucher.objects.filter(status=VoucherStatus.ACTIVE, gift__status="disputed")
    for voucher in (frozen_wrongly | usable_while_disputed).only("code", "collectivite_id")[:5]:
        yield Violation(
            "voucher balances",
            f"voucher {voucher.code}: on hold or not, its gift's dispute says otherwise",
            voucher.collectivite_id,
        )
