"""Bad input is never a server error (issue #10, item 5). An id beyond 64 bits in a URL or an API
path, a NUL character in what the API reads, a truncated JPEG, a date in year 1 or 9999 and a
provider name longer than its column each get a clear 4xx or a form error, and nothing is written.

Run this file on PostgreSQL too (DATABASE_URL): SQLite stores NUL characters and over-long strings
without a word where PostgreSQL raises, and PostgreSQL compares any number where SQLite raises."""

import io
import re
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import SlugConverter, UUIDConverter
from django.utils import timezone
from PIL import Image

from solidaire.beneficiaries.models import Establishment, Registration
from solidaire.campaigns.models import Campaign
from solidaire.donations.models import Gift
from solidaire.matching.models import Pool
from solidaire.payments.models import Notification
from solidaire.payouts.models import Batch, PayoutSettings
from solidaire.vouchers.models import Offer

from ..beneficiaries.helpers import form_data as registration_form
from ..campaigns.helpers import CREATE_URL
from ..campaigns.helpers import form_data as campaign_form
from ..factories import CampaignFactory
from ..gifts import approved_registration, give

pytestmark = pytest.mark.django_db

IDS_BEYOND_64_BITS = (2**63, 2**64)
YEARS_1_AND_9999 = ("0001-01-01", "9999-12-31")
NUL = "\x00"


@pytest.fixture
def campaign(personas):
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", title="Café Solidaire")


@pytest.fixture
def cafe(personas, campaign):
    """Oscar's café, approved in Café Solidaire."""
    return approved_registration(campaign, owner=personas.a.owner, name="Café de la Gare")


def gift_url(cafe, beneficiary_id=None) -> str:
    beneficiary_id = cafe.establishment_id if beneficiary_id is None else beneficiary_id
    return f"/api/v1/campaigns/{cafe.campaign.slug}/beneficiaries/{beneficiary_id}/gifts"


def nothing_given(campaign) -> bool:
    return not Gift.objects.exists() and sum(p.reserved_cents for p in Pool.objects.filter(campaign=campaign)) == 0


def error_codes(response, field) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


# Ids beyond 64 bits -------------------------------------------------------------------------------


def takes_an_id(converter) -> bool:
    """A converter that turns the URL's text into a number: what it reads is a database id."""
    try:
        return isinstance(converter.to_python("1"), int)
    except ValueError:
        return False


def routes_with_ids(patterns=None, prefix="", namespace=None):
    """(name, route, converters) of every URL pattern of the product that takes an id, read from
    the resolver (the operator’s Django admin is not the product)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver) and entry.namespace != "admin":
            yield from routes_with_ids(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            converters = getattr(entry.pattern, "converters", {})
            if any(takes_an_id(converter) for converter in converters.values()):
                yield f"{namespace}:{entry.name}", prefix + str(entry.pattern), converters


def path_with(route: str, converters: dict, number: int) -> str:
    """The route with `number` for each id and a plausible value for anything else."""

    def value(match):
        converter = converters[match.group(1)]
        if takes_an_id(converter):
            return str(number)
        if isinstance(converter, UUIDConverter):
            return str(uuid.uuid4())
        return "cafe-solidaire" if isinstance(converter, SlugConverter) else "x"

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def test_every_id_in_a_url_of_the_product_is_read_by_a_converter_that_stops_at_64_bits():
    """Whatever the database (PostgreSQL compares any number, SQLite raises): `<id:…>`, not `<int:…>`."""
    unbounded = set()
    for name, _route, converters in routes_with_ids():
        for converter in converters.values():
            try:
                if takes_an_id(converter) and converter.to_python(str(2**63)) is not None:
                    unbounded.add(name)
            except ValueError:
                pass
    assert sorted(unbounded) == []


def test_an_id_beyond_64_bits_in_any_url_is_not_found_for_everyone(personas, client_for, cafe):
    routes = list(routes_with_ids())
    assert {"beneficiaries:establishment", "payouts:mark_failed", "api:create_gift"} <= {name for name, *_ in routes}
    a = personas.a
    people = [None, a.admin, a.moderator, a.finance, a.owner, personas.b.admin, personas.outsider]
    clients = {str(person): client_for(a, person) for person in people}
    outcomes = {}
    for name, route, converters in routes:
        for number in IDS_BEYOND_64_BITS:
            path = path_with(route, converters, number)
            for person, client in clients.items():
                for method in ("get", "post"):
                    try:
                        status = getattr(client, method)(path).status_code
                    except Exception as exc:  # a server error, whatever it is
                        status = f"500 ({type(exc).__name__})"
                    outcomes[(name, number, person, method)] = status
    assert {request: status for request, status in outcomes.items() if status != 404} == {}


def test_an_id_beyond_64_bits_in_an_api_path_is_not_found_and_starts_no_gift(personas, client_for, cafe):
    for number in IDS_BEYOND_64_BITS:
        body = {"amount_cents": 500, "email": "dora@example.org"}
        response = client_for(personas.a).post(gift_url(cafe, number), body, content_type="application/json")
        assert response.status_code == 404, number
    assert nothing_given(cafe.campaign)


# NUL characters ---------------------------------------------------------------------------------


def test_a_null_character_in_any_api_text_field_is_refused_and_starts_no_gift(personas, client_for, cafe):
    api = client_for(personas.a)
    for field in ("email", "donor_name", "public_message", "language", "return_url"):
        body = {"amount_cents": 500, "email": "dora@example.org", "donor_name": "Dora", "language": "fr"}
        body[field] = body.get(field, "") + NUL + "x"
        response = api.post(gift_url(cafe), body, content_type="application/json")
        assert (response.status_code, response.json()["field"]) == (400, field)
    assert nothing_given(cafe.campaign)


@pytest.mark.parametrize("parameter", ["q", "category", "departement", "commune", "sort", "near"])
def test_a_null_character_in_an_api_query_is_refused(personas, client_for, cafe, parameter):
    url = f"/api/v1/campaigns/{cafe.campaign.slug}/beneficiaries"
    response = client_for(personas.a).get(url, {parameter: "67" + NUL})
    assert (response.status_code, response.json()["field"]) == (400, parameter)


def test_a_null_character_in_an_api_path_or_token_is_refused(personas, client_for, cafe):
    gift = give(cafe, email="dora@example.org")
    api = client_for(personas.a)
    assert api.get("/api/v1/campaigns/cafe%00solidaire").status_code == 404
    assert api.get("/api/v1/campaigns/cafe%00solidaire/beneficiaries").status_code == 404
    body = {"amount_cents": 500, "email": "eve@example.org"}
    assert (
        api.post(gift_url(cafe).replace("cafe-", "cafe%00"), body, content_type="application/json").status_code == 404
    )
    assert api.get(f"/api/v1/gifts/{gift.pk}", {"token": gift.token + NUL}).status_code == 400
    assert Gift.objects.count() == 1


def test_a_null_character_in_a_payment_address_is_not_found_and_not_stored(personas, client_for, cafe):
    gift = give(cafe, email="dora@example.org")
    anyone = client_for(personas.a)
    assert anyone.get(f"/sandbox/paiement/{gift.checkout_id}%00/").status_code == 404
    assert (
        anyone.post("/paiements/notifications/sand%00box/", b"{}", content_type="application/json").status_code == 404
    )
    assert not Notification.objects.exclude(provider="sandbox").exists()


# Truncated pictures -----------------------------------------------------------------------------


def truncated_jpeg() -> SimpleUploadedFile:
    """A JPEG whose header is whole (it opens, and verifies) and whose second half was lost."""
    output = io.BytesIO()
    Image.effect_noise((800, 600), 64).convert("RGB").save(output, format="JPEG", quality=90)
    data = output.getvalue()
    return SimpleUploadedFile("terrasse.jpg", data[: len(data) // 2], content_type="image/jpeg")


def test_a_truncated_jpeg_as_an_establishment_photo_is_a_form_error(personas, client_for, campaign):
    owner = client_for(personas.a, personas.a.owner)
    response = owner.post(
        f"/mon-espace/inscription/{campaign.slug}/", {**registration_form(), "photo": truncated_jpeg()}
    )
    assert response.status_code == 400
    assert error_codes(response, "photo") == ["invalid"]
    assert not Establishment.objects.exists() and not Registration.objects.exists()


def test_a_truncated_jpeg_as_a_campaign_picture_is_a_form_error(personas, client_for):
    admin = client_for(personas.a, personas.a.admin)
    response = admin.post(CREATE_URL, {**campaign_form(), "picture": truncated_jpeg()})
    assert response.status_code == 400
    assert error_codes(response, "picture") == ["invalid"]
    assert not Campaign.objects.exists()


# Dates in year 1 or 9999 ------------------------------------------------------------------------


@pytest.mark.parametrize("day", YEARS_1_AND_9999)
@pytest.mark.parametrize("field", ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"])
def test_a_date_in_year_1_or_9999_is_a_form_error_in_the_campaign_form(personas, client_for, field, day):
    admin = client_for(personas.a, personas.a.admin)
    for typed in (day, day + "T00:00", day + "T23:59"):
        response = admin.post(CREATE_URL, campaign_form(**{field: typed}))
        assert response.status_code == 400, typed
        assert error_codes(response, field) == ["out_of_range"], typed
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("day", YEARS_1_AND_9999)
def test_a_date_in_year_1_or_9999_is_refused_by_create_campaign(personas, day):
    today = timezone.localdate()
    flags = {
        "tenant": personas.a.tenant.slug,
        "title": "Café Solidaire",
        "summary": "Soutenez les bars et cafés.",
        "text": "Chaque don est doublé par la Région.",
        "starts": day,
        "ends": (today + timedelta(days=31)).isoformat(),
        "registration_opens": today.isoformat(),
        "registration_closes": (today + timedelta(days=21)).isoformat(),
        "category": ["cafe"],
        "min_gift": "3",
        "max_gift": "10",
        "budget": "1000",
    }
    with pytest.raises(CommandError, match="--starts"):
        call_command("create-campaign", stdout=StringIO(), **flags)
    assert not Campaign.objects.exists()


@pytest.fixture
def owed_cafe(personas, cafe, settings):
    """Oscar's café is owed the match of a 5 € gift; Région Grand Est's account is set up."""
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = False
    PayoutSettings.objects.create(
        collectivite=personas.a.tenant,
        debtor_name="REGION GRAND EST",
        iban="FR7630001007941234567890185",
        bic="BDFEFRPPCCT",
    )
    give(cafe, 500)
    return cafe


@pytest.mark.parametrize("day", YEARS_1_AND_9999)
@pytest.mark.parametrize("field", ["cutoff", "execution_date"])
def test_a_date_in_year_1_or_9999_is_a_form_error_when_preparing_a_payout(personas, client_for, owed_cafe, field, day):
    finance = client_for(personas.a, personas.a.finance)
    data = {"channel": "matching", "route": "bank", "cutoff": timezone.localdate().isoformat(), field: day}
    for confirmed in ("", "True"):
        response = finance.post(reverse("payouts:home"), {**data, "confirmed": confirmed})
        assert response.status_code == 400
        assert error_codes(response, field) == ["out_of_range"]
    assert not Batch.objects.exists()


def payouts(*args):
    return call_command("payouts", *args, stdout=StringIO())


def test_a_date_in_year_1_or_9999_is_refused_by_the_payouts_command(personas, owed_cafe):
    where = ("--tenant", personas.a.tenant.slug, "--campaign", owed_cafe.campaign.slug)
    for day in YEARS_1_AND_9999:
        for flag in ("--cutoff", "--execution-date"):
            with pytest.raises(CommandError, match=f"^{flag}: "):
                payouts("create", *where, "--by", personas.a.finance.email, flag, day)
        with pytest.raises(CommandError, match="^--cutoff: "):
            payouts("owed", *where, "--cutoff", day)
    assert not Batch.objects.exists()


def test_a_day_that_does_not_exist_is_refused_by_the_payouts_command(personas, owed_cafe):
    where = ("--tenant", personas.a.tenant.slug, "--campaign", owed_cafe.campaign.slug)
    with pytest.raises(CommandError, match="^--cutoff: give a date as YYYY-MM-DD"):
        payouts("owed", *where, "--cutoff", "2026-02-30")


def offer_form(**overrides) -> dict:
    """A voucher worth the gift + 20 %, valid until the end of next year."""
    data = {
        "kind": "value",
        "value_mode": "percent",
        "percent_of_gift": "100",
        "bonus_percent": "20",
        "valid_until": f"{timezone.localdate().year + 1}-12-31",
        "partial_use": "on",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("day", YEARS_1_AND_9999)
@pytest.mark.parametrize("field", ["valid_from", "valid_until"])
def test_a_date_in_year_1_or_9999_is_a_form_error_in_the_counterpart_offer(personas, client_for, cafe, field, day):
    owner = client_for(personas.a, personas.a.owner)
    response = owner.post(reverse("vouchers:offer", args=[cafe.pk]), offer_form(**{field: day}))
    assert response.status_code == 400
    assert error_codes(response, field) == ["out_of_range"]
    assert not Offer.objects.exists()


def test_a_validity_beyond_ten_years_is_a_form_error_in_the_counterpart_offer(personas, client_for, cafe):
    """A voucher’s last day is the gift's day plus its validity: 10⁹ days would overflow when the
    voucher is issued, in the middle of the payment’s confirmation."""
    owner = client_for(personas.a, personas.a.owner)
    for days in ("3651", "999999999", "2147483648"):
        response = owner.post(reverse("vouchers:offer", args=[cafe.pk]), offer_form(valid_until="", validity_days=days))
        assert response.status_code == 400, days
        assert error_codes(response, "validity_days") == ["max_value"], days
    assert not Offer.objects.exists()


# Provider names ---------------------------------------------------------------------------------


def test_a_provider_name_longer_than_its_column_is_not_found_and_not_stored(personas, client_for):
    column = Notification._meta.get_field("provider").max_length
    anyone = client_for(personas.a)
    for name in ("x" * (column + 1), "sandbox" + "x" * column, "s" * 2000):
        response = anyone.post(f"/paiements/notifications/{name}/", b"{}", content_type="application/json")
        assert response.status_code == 404
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "name,query",
    [
        ("beneficiaries:directory", {"commune": "67\x00482"}),
        ("beneficiaries:directory", {"category": "cafe\x00"}),
        ("beneficiaries:commune_suggestions", {"q": "Stras\x00", "campaign": "x\x00"}),
    ],
)
def test_a_null_character_in_a_page_query_is_refused_before_any_view(personas, client_for, cafe, name, query):
    args = [cafe.campaign.slug] if name == "beneficiaries:directory" else []
    assert client_for(personas.a).get(reverse(name, args=args), query).status_code == 400


def test_a_null_character_in_a_form_value_is_refused_and_nothing_is_written(personas, client_for, campaign):
    data = campaign_form(title="Café\x00 Solidaire 2")
    response = client_for(personas.a, personas.a.admin).post(CREATE_URL, data)
    assert response.status_code == 400
    assert not Campaign.objects.filter(title__startswith="Café").exclude(pk=campaign.pk).exists()


def test_a_staff_row_that_cannot_be_an_id_removes_nobody(personas, client_for, cafe):
    url = reverse("vouchers:staff", args=[cafe.establishment_id])
    owner = client_for(personas.a, cafe.establishment.owner)
    for value in ("abc", str(2**64), ""):
        assert owner.post(url, {"remove": value}).status_code == 302


def test_a_batch_id_beyond_64_bits_is_no_batch_of_the_payouts_command(personas):
    with pytest.raises(CommandError, match="batch"):
        call_command("payouts", "approve", str(2**64), "--by", personas.a.finance.email, stdout=StringIO())
