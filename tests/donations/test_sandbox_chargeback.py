"""The sandbox's chargeback button on the finance gift page (POST /sandbox/paiement/<id>/litige/):
the sandbox sends payment.disputed; the gift is charged back, its match reversed and its budget
returned, with reversing journal entries — as for a refund."""

import pytest
from django.core import mail

from solidaire.donations.models import Gift

from ..campaigns.helpers import text
from ..gifts import give, start
from .helpers import balance, entry_kinds, pools

pytestmark = pytest.mark.django_db


def dispute(client, gift, capture):
    with capture(execute=True):
        return client.post(f"/sandbox/paiement/{gift.checkout_id}/litige/", {"next": f"/gestion/dons/{gift.pk}/"})


def test_finance_page_offers_the_chargeback_button_for_sandbox_gifts(personas, client_for, cafe):
    gift = give(cafe, 500)
    page = text(client_for(personas.a, personas.a.finance).get(f"/gestion/dons/{gift.pk}/"))
    assert f'action="/sandbox/paiement/{gift.checkout_id}/litige/"' in page


def test_chargeback_reverses_the_gift_and_its_match(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    mail.outbox.clear()
    response = dispute(client_for(personas.a, personas.a.finance), gift, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/dons/{gift.pk}/"
    gift.refresh_from_db()
    assert gift.status == "charged_back"
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted", "gift.charged_back", "match.reversed"]
    assert gift.entries.get(kind="match.reversed").memo == "chargeback"
    assert pools(cafe.campaign) == (0, 0)
    assert balance(f"beneficiary_gifts:{cafe.pk}") == 0
    assert balance(f"beneficiary_matching:{cafe.pk}") == 0
    assert [m.to for m in mail.outbox] == [["donor@example.org"]]


def test_a_gift_not_paid_cannot_be_disputed(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = start(cafe, 500)
    response = dispute(client_for(personas.a, personas.a.finance), gift, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert entry_kinds(gift) == []


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_only_finance_may_simulate_a_chargeback(personas, client_for, cafe, role, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    response = dispute(client_for(personas.a, getattr(personas.a, role)), gift, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_anonymous_visitors_cannot_dispute(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    response = dispute(client_for(personas.a), gift, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"
