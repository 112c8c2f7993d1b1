from django.utils import timezone

from solidaire.ledger.checks import check_all
from solidaire.payouts import actions
from solidaire.payouts.owed import owed, position

from ..gifts import give


def test_a_whole_cycle(personas, cafe, finance, bank_account, django_capture_on_commit_callbacks, mailoutbox):
    give(cafe, 500)
    give(cafe, 1000, email="eve@example.org")
    preparer, approver = finance
    [item] = owed(cafe.campaign, "matching", cutoff=timezone.now())
    assert item.amount_cents == 1500
    batch = actions.prepare_batch(campaign=cafe.campaign, channel="matching", actor=preparer)
    assert batch.total_cents == 1500
    assert position(cafe).in_batch["matching"] == 1500
    batch = actions.approve_batch(batch=batch, actor=approver)
    assert batch.documents.count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_sent(batch=batch, actor=preparer)
    assert len(mailoutbox) >= 1
    actions.mark_paid(batch=batch, actor=preparer)
    batch.refresh_from_db()
    assert batch.status == "settled"
    assert position(cafe).paid["matching"] == 1500
    assert check_all() == []
