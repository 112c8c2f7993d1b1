"""Demo gifts, made through the real path: gift started with its match reserved, paid on the
sandbox's hosted page, its signed notification applied by the inbox (delivered in-process,
since no server runs yet while seeding). Receipts go nowhere."""

import math
import random
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from solidaire.accounts.models import User
from solidaire.accounts.roles import Role
from solidaire.beneficiaries.models import Registration
from solidaire.celery import app as celery_app
from solidaire.core.errors import ActionError
from solidaire.donations import actions, refunds
from solidaire.donations.models import Gift, GiftStatus
from solidaire.payments.providers import provider_for

FIRST_NAMES = ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Emma", "Nathan", "Manon", "Jules", "Sarah", "Théo"]
MESSAGES = [
    "Tenez bon, on revient vite !",
    "Hâte de retrouver la terrasse.",
    "Merci pour tout !",
    "",
    "",
    "",
    "Courage à toute l'équipe.",
    "À très bientôt pour un café.",
]


def seed_gifts(campaign, count: int = 300) -> int:
    if Gift.objects.filter(campaign=campaign).exists():
        return 0
    rng = random.Random(2020)  # noqa: S311 - demo data
    registrations = list(Registration.objects.approved().filter(campaign=campaign).select_related("establishment"))
    weights = [rng.paretovariate(1.3) for _ in registrations]
    showcase = next((r for r in registrations if r.establishment.trade_name == "Café de la Petite France"), None)
    host = f"http://{campaign.collectivite.slug}.localhost"
    made = 0
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(
            SOLIDAIRE_SANDBOX_TRANSPORT="solidaire.payments.tasks.inprocess_transport",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            for i in range(count):
                # The demo owner's café gets the first gifts, so that its counter has vouchers.
                registration = showcase if i < 12 and showcase else rng.choices(registrations, weights=weights)[0]
                name = rng.choice(FIRST_NAMES)
                try:
                    gift, _token = actions.create_gift(
                        registration=registration,
                        amount_cents=rng.choice([300, 500, 500, 500, 700, 1000, 1000]),
                        email=f"donateur{i}@demo.example",
                        donor_name=name if rng.random() < 0.6 else "",
                        public_message=rng.choice(MESSAGES),
                        anonymous=rng.random() < 0.2,
                        language=rng.choice(["fr", "fr", "fr", "de", "en"]),
                    )
                    page = f"{host}/dons/{gift.pk}/?t={gift.token}"
                    actions.open_checkout(
                        gift, success_url=page, cancel_url=page, notify_url=f"{host}/paiements/notifications/sandbox/"
                    )
                except ActionError:
                    continue
                outcome = rng.choices(["success", "decline", None], weights=[92, 5, 3])[0]
                if outcome is not None:  # None: the donor left the payment page
                    provider_for(campaign.collectivite).pay(gift.checkout_id, outcome, f"card-{i}")
                made += 1
            _refunds_and_disputes(campaign)
            _spread_over_days(campaign, rng)
    finally:
        celery_app.conf.task_always_eager = previous
    return made


def _spread_over_days(campaign, rng) -> None:
    """The gifts as if they had come over the days since the campaign opened, more each day,
    so that the dashboard's curve and forecast have a history (their journal entries keep the
    time they were posted)."""
    now = timezone.now()
    days = max((now - campaign.starts_at).days, 1)
    gifts = list(Gift.objects.filter(campaign=campaign, confirmed_at__isnull=False).order_by("created_at"))
    for i, gift in enumerate(gifts):
        ago = days - 1 - int(days * math.sqrt(i / len(gifts)))  # the pace grows day after day
        moment = now - timedelta(days=ago, hours=rng.uniform(0, 10))
        gift.created_at, gift.confirmed_at = moment - timedelta(minutes=2), moment
    Gift.objects.bulk_update(gifts, ["created_at", "confirmed_at"])


def _refunds_and_disputes(campaign) -> None:
    """What finance officers see in a real campaign: a gift refunded whole, one in part, one
    disputed and not decided yet, one dispute won and one lost — made through the same paths as
    in production (the finance officer's refund, the card holder’s bank on the sandbox's page)."""
    finance = User.objects.filter(
        memberships__collectivite=campaign.collectivite, memberships__role=Role.FINANCE
    ).first()
    paid = list(
        Gift.objects.filter(campaign=campaign, status=GiftStatus.CONFIRMED, match_cents__gt=0)
        .exclude(registration__establishment__owner__email="cafe@grandest.example")
        .order_by("confirmed_at")[:5]
    )
    if len(paid) < 5 or finance is None:
        return
    whole, part, disputed, won, lost = paid
    refunds.request_refund(gift=whole, actor=finance, reason="Le donateur s'est trompé d'établissement.")
    refunds.request_refund(
        gift=part, amount_cents=part.amount_cents // 2, actor=finance, reason="Don fait deux fois, à moitié."
    )
    sandbox = provider_for(campaign.collectivite)
    for gift in (disputed, won, lost):
        sandbox.open_dispute(gift.checkout_id)
    sandbox.close_dispute(won.checkout_id, won=True)
    sandbox.close_dispute(lost.checkout_id, won=False)
