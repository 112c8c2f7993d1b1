"""Expiry (vouchers.actions.expire_vouchers, run by the daily task): active vouchers past their
last day become expired; used and cancelled ones keep their state; it is idempotent. A voucher is
refused at the counter after its last day even before the task has run."""

from datetime import timedelta

import pytest
from django.utils import timezone

from solidaire.core.errors import ActionError
from solidaire.vouchers import tasks
from solidaire.vouchers.actions import expire_vouchers
from solidaire.vouchers.models import Voucher

from ..donations.helpers import refund
from .helpers import approved_offer, redeem, voucher_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def vouchers(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    return {
        name: voucher_for(cafe, 1000, email=f"{name}@example.org") for name in ("unused", "partly", "used", "refunded")
    }


def statuses() -> dict:
    return {v.gift.email.split("@")[0]: v.status for v in Voucher.objects.select_related("gift")}


def test_nothing_expires_before_the_day_after_the_last_day(vouchers):
    last_day = vouchers["unused"].valid_until
    assert expire_vouchers(today=last_day) == 0
    assert set(statuses().values()) == {"active"}


def test_active_vouchers_expire_the_day_after_their_last_day(personas, vouchers):
    redeem(vouchers["partly"], personas.a.owner, 500)
    redeem(vouchers["used"], personas.a.owner)
    refund(vouchers["refunded"].gift, actor=personas.a.finance)
    day_after = vouchers["unused"].valid_until + timedelta(days=1)
    assert expire_vouchers(today=day_after) == 2
    assert statuses() == {"unused": "expired", "partly": "expired", "used": "used", "refunded": "cancelled"}
    partly = Voucher.objects.get(pk=vouchers["partly"].pk)
    assert partly.remaining_cents == 700  # what was not used is simply lost
    assert expire_vouchers(today=day_after) == 0  # idempotent


def test_the_daily_task_expires_what_is_past_its_date(vouchers):
    Voucher.objects.filter(pk=vouchers["unused"].pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    result = tasks.daily.delay().get()
    assert result == {"expired": 1, "reminded": 0}
    assert statuses()["unused"] == "expired"
    assert statuses()["partly"] == "active"


def test_an_expired_voucher_is_refused_even_before_the_task_runs(personas, vouchers):
    voucher = vouchers["unused"]
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    voucher.refresh_from_db()
    assert voucher.status == "active" and voucher.state() == "expired"
    with pytest.raises(ActionError) as error:
        redeem(voucher, personas.a.owner, 100)
    assert error.value.code == "expired"


def test_the_lifecycle_task_is_scheduled(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["solidaire.vouchers.tasks.daily"] <= 24 * 3600
