"""The establishment’s public page does not promise more than the establishment receives (issue
10, item 15): next to what the collectivité adds to a gift, it says payment fees are taken from
the gift."""

import pytest

from ..accounts.helpers import page_text, translated
from .helpers import cafe_campaign, listed, page_url

pytestmark = pytest.mark.django_db


def test_the_establishment_page_says_payment_fees_are_taken_from_the_gift(personas, client_for):
    registration = listed(cafe_campaign(personas.a), personas.a, personas.a.owner, trade_name="Le Café des Arts")
    response = client_for(personas.a).get(page_url(registration))
    assert response.status_code == 200
    assert translated("Payment fees, if any, are taken from the gift.") in page_text(response)
