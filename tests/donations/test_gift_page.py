"""The donor’s private page of a gift (GET /dons/<id>/?t=<token>): reached with the secret
token only, and telling the truth about the payment — waiting, being processed, confirmed (with
the match), failed (no money taken), refunded."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from solidaire.donations.models import Gift

from ..campaigns.helpers import text
from ..gifts import give, start
from .helpers import refund

pytestmark = pytest.mark.django_db


def url(gift, token=None) -> str:
    return f"/dons/{gift.pk}/?t={gift.token if token is None else token}"


def page(client, gift) -> str:
    response = client.get(url(gift))
    assert response.status_code == 200
    return text(response)


def test_without_the_token_the_gift_is_not_found(personas, client_for, gift):
    client = client_for(personas.a)
    assert client.get(f"/dons/{gift.pk}/").status_code == 404
    assert client.get(url(gift, "0" * 32)).status_code == 404
    assert client.get(url(gift, gift.token[:-1])).status_code == 404


def test_the_other_collectivites_host_does_not_show_the_gift(personas, client_for, gift):
    assert client_for(personas.b).get(url(gift)).status_code == 404


def test_the_token_of_one_gift_does_not_open_another(personas, client_for, cafe, gift):
    other = start(cafe, 500, email="eve@example.org")
    assert client_for(personas.a).get(url(other, gift.token)).status_code == 404


def test_pending_gift_asks_for_payment_and_promises_the_match(personas, client_for, gift):
    shown = page(client_for(personas.a), gift)
    assert "You are giving 5 € to Café de la Gare." in shown or "Vous donnez" in shown
    assert gift.checkout_url in shown
    assert "Thank you" not in shown and "confirmed" not in shown


def test_processing_gift_says_the_payment_is_not_confirmed_yet_and_refreshes(personas, client_for, gift):
    """The page asks for its status region again by itself (gift-status.js; a meta refresh would
    reload the whole page under a screen reader's feet), and offers a link that does it by hand."""
    Gift.objects.filter(pk=gift.pk).update(status="processing")
    shown = page(client_for(personas.a), gift)
    assert "has not confirmed your payment yet" in shown or "pas encore confirmé" in shown
    assert 'http-equiv="refresh"' not in shown
    assert f'data-refresh="/dons/{gift.pk}/?t={gift.token}&amp;fragment=status"' in shown
    assert f'<a href="/dons/{gift.pk}/?t={gift.token}" data-refresh-link>' in shown
    assert "gift-status.js" in shown
    assert "Thank you" not in shown and gift.checkout_url not in shown


def test_the_status_alone_is_served_to_the_page_that_waits(personas, client_for, cafe):
    gift = give(cafe, 500)
    response = client_for(personas.a).get(f"/dons/{gift.pk}/?t={gift.token}&fragment=status")
    assert response.status_code == 200
    assert response["X-Gift-Status"] == "confirmed"
    assert "<html" not in text(response)
    assert "ajoute 5 €" in text(response) or "adds 5 €" in text(response)


def test_confirmed_gift_thanks_the_donor_with_the_match(personas, client_for, cafe):
    gift = give(cafe, 500)
    shown = page(client_for(personas.a), gift)
    assert "Your gift of 5 € to Café de la Gare is confirmed." in shown or "est confirmé" in shown
    # The sandbox takes 0,32 € of fees on 5 €: what the establishment receives is said exactly.
    assert "Région Grand Est adds 5 €: the establishment receives 9,68 € in all" in shown or "ajoute 5 €" in shown
    assert gift.checkout_url not in shown


def test_confirmed_gift_without_match_does_not_claim_one(personas, client_for, cafe):
    gift = give(cafe, 500)
    Gift.objects.filter(pk=gift.pk).update(match_cents=0)
    shown = page(client_for(personas.a), gift)
    assert "adds" not in shown and "ajoute" not in shown


@pytest.mark.parametrize("outcome", ["decline", "pending_failure"])
def test_failed_gift_says_no_money_was_taken(personas, client_for, cafe, outcome):
    gift = give(cafe, 500, outcome=outcome)
    assert gift.status == "failed"
    shown = page(client_for(personas.a), gift)
    assert "The payment did not go through. No money was taken." in shown or "Aucun argent" in shown
    assert "Thank you" not in shown and "is confirmed" not in shown
    assert f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/" in shown


def test_expired_gift_says_no_money_was_taken(personas, client_for, gift):
    Gift.objects.filter(pk=gift.pk).update(status="expired")
    with translation.override("fr"):
        expected = gettext("The payment did not go through. No money was taken.")
    assert expected in page(client_for(personas.a), gift).replace("\u00a0", " ").replace("&#x27;", "'")


def test_refunded_gift_says_so(personas, client_for, cafe):
    gift = refund(give(cafe, 500))
    shown = page(client_for(personas.a), gift)
    assert "This gift of 5 € was refunded." in shown or "remboursé" in shown
    assert "Thank you" not in shown


def test_the_page_is_never_cached_nor_indexed(personas, client_for, gift):
    response = client_for(personas.a).get(url(gift))
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in text(response)


def test_the_page_never_shows_the_donors_e_mail(personas, client_for, cafe):
    gift = give(cafe, 500, email="secret.donor@example.org")
    assert "secret.donor@example.org" not in page(client_for(personas.a), gift)


def test_returning_from_a_cancelled_payment_says_it_was_not_completed(personas, client_for, gift):
    response = client_for(personas.a).get(url(gift) + "&cancelled=1")
    assert "The payment was not completed." in text(response) or "pas abouti" in text(response)
