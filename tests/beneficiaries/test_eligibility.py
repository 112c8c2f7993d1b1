"""The campaign’s rules for beneficiaries (actions.check_eligibility): the campaign’s collectivité,
its registration window, its categories, its territory, one active registration per SIRET/RNA.
Checked for every combination with hypothesis; the first rule broken is the one reported."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.beneficiaries.actions import check_eligibility
from solidaire.beneficiaries.models import Establishment
from solidaire.campaigns.choices import Category
from solidaire.core.errors import ActionError

from .helpers import (
    COLMAR,
    METZ,
    MULHOUSE,
    SAINT_DIE,
    SIRET,
    STRASBOURG,
    EstablishmentFactory,
    RegistrationFactory,
    cafe_campaign,
    commune,
)

pytestmark = pytest.mark.django_db

HAUT_RHIN = {COLMAR, MULHOUSE}
GRAND_EST_A = {STRASBOURG, COLMAR, MULHOUSE}  # collectivité A covers Bas-Rhin and Haut-Rhin


@pytest.fixture
def campaigns(personas):
    whole = cafe_campaign(personas.a)
    haut_rhin = cafe_campaign(personas.a, slug="haut-rhin", territory_scope="departements")
    haut_rhin.departements.set(["68"])
    colmar_only = cafe_campaign(personas.a, slug="colmar", territory_scope="communes")
    colmar_only.communes.set([COLMAR])
    return {"all": whole, "haut-rhin": haut_rhin, "colmar": colmar_only}


def expected_code(*, scope, status, offset, categories, category, code):
    if status != "published" or not 0 <= offset < 27 * 24 * 60:
        return "registration_closed"
    if category not in categories:
        return "category"
    inside = {"all": GRAND_EST_A, "haut-rhin": HAUT_RHIN, "colmar": {COLMAR}}[scope]
    if code not in inside:
        return "territory"
    return None


def outcome(**kwargs):
    try:
        check_eligibility(**kwargs)
    except ActionError as error:
        return error.code
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scope=st.sampled_from(["all", "haut-rhin", "colmar"]),
    status=st.sampled_from(["published", "published", "published", "draft", "closed"]),
    offset=st.integers(min_value=-3 * 24 * 60, max_value=30 * 24 * 60),  # minutes after registration opens
    categories=st.lists(st.sampled_from(Category.values), min_size=1, max_size=4, unique=True),
    category=st.sampled_from(Category.values),
    code=st.sampled_from([STRASBOURG, COLMAR, MULHOUSE, METZ, SAINT_DIE]),
)
def test_the_first_broken_rule_is_reported(personas, campaigns, scope, status, offset, categories, category, code):
    campaign = campaigns[scope]
    campaign.status, campaign.categories = status, categories
    opens = campaign.registration_opens_at
    campaign.registration_closes_at = opens + timedelta(days=27)
    establishment = Establishment(
        collectivite=personas.a.tenant, owner=personas.a.owner, category=category, commune=commune(code), siret=SIRET
    )
    assert outcome(
        campaign=campaign, establishment=establishment, now=opens + timedelta(minutes=offset)
    ) == expected_code(scope=scope, status=status, offset=offset, categories=categories, category=category, code=code)


def test_the_window_opens_at_its_first_minute_and_closes_at_its_last(personas, campaigns):
    campaign = campaigns["all"]
    establishment = EstablishmentFactory.build(collectivite=personas.a.tenant, owner=personas.a.owner)
    at = campaign.registration_opens_at
    assert outcome(campaign=campaign, establishment=establishment, now=at) is None
    assert (
        outcome(campaign=campaign, establishment=establishment, now=at - timedelta(seconds=1)) == "registration_closed"
    )
    end = campaign.registration_closes_at
    assert outcome(campaign=campaign, establishment=establishment, now=end - timedelta(seconds=1)) is None
    assert outcome(campaign=campaign, establishment=establishment, now=end) == "registration_closed"


def test_an_establishment_of_another_collectivite_is_refused(personas, campaigns):
    theirs = EstablishmentFactory.build(collectivite=personas.b.tenant, owner=personas.b.owner)
    assert outcome(campaign=campaigns["all"], establishment=theirs) == "wrong_tenant"


@pytest.mark.parametrize("status, allowed", [
    ("pending", False), ("changes_requested", False), ("approved", False), ("rejected", True), ("withdrawn", True),
])  # fmt: skip
def test_one_active_registration_per_siret_and_campaign(personas, campaigns, status, allowed):
    first = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.donor, siret=SIRET)
    RegistrationFactory(campaign=campaigns["all"], establishment=first, status=status)
    second = EstablishmentFactory.build(collectivite=personas.a.tenant, owner=personas.a.owner, siret=SIRET)
    assert outcome(campaign=campaigns["all"], establishment=second) == (None if allowed else "duplicate")
    assert outcome(campaign=campaigns["haut-rhin"], establishment=second) in (None, "territory")


def test_the_same_rna_number_is_a_duplicate_too(personas, campaigns):
    campaign = campaigns["all"]
    campaign.categories = ["association"]
    first = EstablishmentFactory(
        collectivite=personas.a.tenant, owner=personas.a.donor, category="association", siret="", rna="W672001234"
    )
    RegistrationFactory(campaign=campaign, establishment=first, status="approved")
    second = EstablishmentFactory.build(
        collectivite=personas.a.tenant, owner=personas.a.owner, category="association", siret="", rna="W672001234"
    )
    assert outcome(campaign=campaign, establishment=second) == "duplicate"


def test_an_establishment_is_not_its_own_duplicate(personas, campaigns):
    establishment = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner, siret=SIRET)
    RegistrationFactory(campaign=campaigns["all"], establishment=establishment, status="changes_requested")
    assert outcome(campaign=campaigns["all"], establishment=establishment) is None
