"""The finance officer's gifts (/gestion/dons/ and /gestion/dons/<id>/): every gift of the
collectivité with its status, match and journal entries — for finance officers and admins
only; another collectivité’s gifts do not exist here."""

import pytest
from django.utils import translation

from solidaire.ledger.models import AccountKind

from ..campaigns.helpers import text
from ..factories import CampaignFactory
from ..gifts import approved_registration, give, start

pytestmark = pytest.mark.django_db

LIST = "/gestion/dons/"


def detail(gift) -> str:
    return f"{LIST}{gift.pk}/"


@pytest.fixture
def metz_gift(personas):
    campaign = CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire")
    return give(approved_registration(campaign, commune="57463", name="Bar de Metz"), 800)


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_finance_officers_and_admins_see_the_gifts(personas, client_for, cafe, role):
    gift = give(cafe, 500)
    client = client_for(personas.a, getattr(personas.a, role))
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert detail(gift) in text(listing)
    assert client.get(detail(gift)).status_code == 200


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_other_team_members_are_refused(personas, client_for, cafe, role):
    gift = give(cafe, 500)
    client = client_for(personas.a, getattr(personas.a, role))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(gift)).status_code == 403


def test_owners_donors_and_outsiders_are_refused(personas, client_for, cafe):
    gift = give(cafe, 500)
    for user in (personas.a.owner, personas.a.donor, personas.outsider, personas.b.finance):
        assert client_for(personas.a, user).get(detail(gift)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(personas, client_for, cafe):
    response = client_for(personas.a).get(LIST)
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_the_other_collectivites_gifts_are_not_found_nor_listed(personas, client_for, cafe, metz_gift):
    mine = give(cafe, 500)
    client = client_for(personas.a, personas.a.finance)
    assert client.get(detail(metz_gift)).status_code == 404
    listing = text(client.get(LIST))
    assert detail(mine) in listing and detail(metz_gift) not in listing
    assert "Bar de Metz" not in listing


def test_detail_shows_amounts_match_and_journal_entries(personas, client_for, cafe):
    gift = give(cafe, 500)
    page = text(client_for(personas.a, personas.a.finance).get(detail(gift)))
    for expected in ("Paiement reçu", "Frais du prestataire de paiement", "Abondement public ajouté", "0,32 €", "5 €"):
        assert expected in page
    assert "Café de la Gare" in page
    assert "Refund…" in page or "Rembourser…" in page


def test_the_list_filters_by_status_and_finds_a_reference(personas, client_for, cafe):
    confirmed = give(cafe, 500)
    waiting = start(cafe, 700)
    client = client_for(personas.a, personas.a.finance)
    only_confirmed = text(client.get(LIST, {"status": "confirmed"}))
    assert detail(confirmed) in only_confirmed and detail(waiting) not in only_confirmed
    found = text(client.get(LIST, {"q": str(waiting.pk)[:8]}))
    assert detail(waiting) in found and detail(confirmed) not in found
    assert detail(confirmed) not in text(client.get(LIST, {"q": "abc"}))  # too short for a reference


def test_the_list_never_shows_donor_e_mails(personas, client_for, cafe):
    give(cafe, 500, email="private.person@example.org")
    assert "private.person@example.org" not in text(client_for(personas.a, personas.a.finance).get(LIST))


def test_no_internal_code_is_shown_on_a_gifts_detail(personas, client_for, cafe):
    gift = give(cafe, 500)
    page = text(client_for(personas.a, personas.a.finance).get(detail(gift)))
    for code in ("gift.received", "gift.fee", "match.posted", "provider_cash:", f"beneficiary_gifts:{cafe.pk}"):
        assert code not in page
    with translation.override("fr"):
        assert str(AccountKind.PROVIDER_CASH.label).replace("\u00a0", " ") in page


def test_the_search_box_finds_a_gift_by_donor_e_mail(personas, client_for, cafe):
    dora = give(cafe, 500, email="dora.martin@example.org")
    other = give(cafe, 500, email="eve@example.org")
    found = text(client_for(personas.a, personas.a.finance).get(LIST, {"q": "Dora.Martin@Example.org"}))
    assert detail(dora) in found and detail(other) not in found
    assert "dora.martin@example.org" not in found.split("<tbody>")[1].lower()  # found by it, not shown


def test_the_search_box_finds_a_gift_by_establishment_name(personas, client_for, cafe, campaign):
    mine = give(cafe, 500)
    elsewhere = give(approved_registration(campaign, name="Boulangerie Kieffer"), 500)
    found = text(client_for(personas.a, personas.a.finance).get(LIST, {"q": "kieffer"}))
    assert detail(elsewhere) in found and detail(mine) not in found


def test_the_search_box_stays_in_the_collectivite(personas, client_for, cafe, metz_gift):
    found = text(client_for(personas.a, personas.a.finance).get(LIST, {"q": "Bar de Metz"}))
    assert detail(metz_gift) not in found
    found = text(client_for(personas.a, personas.a.finance).get(LIST, {"q": "donor@example.org"}))
    assert detail(metz_gift) not in found
