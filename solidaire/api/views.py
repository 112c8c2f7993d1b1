"""Public API v1: read campaigns and beneficiaries, start a gift from another website, follow a
gift, read the open requests and offers of the mutual-aid network (approximate places only). JSON
only, no cookies, described by /api/v1/openapi.json.

Paths take the site’s URL converters ({slug:slug}, {id:…}): anything else, an id beyond 64 bits
included, is not found. Every text read from a request is a schemas.Text (no NUL character)."""

from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Status
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError

from solidaire.beneficiaries.access import get_public_registration
from solidaire.beneficiaries.directory import DirectoryQuery, search
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.core.pagecache import public_page
from solidaire.core.translated import localized
from solidaire.donations import actions
from solidaire.donations.figures import campaign_figures
from solidaire.donations.models import Gift
from solidaire.donations.views import client_address, gift_urls, is_limited
from solidaire.mutualaid.access import get_network, public_posts
from solidaire.vouchers.describe import counterpart, with_offers

from .schemas import BeneficiaryPage, CampaignOut, Error, GiftCreated, GiftIn, GiftOut, MutualAidPostPage, Text

api = NinjaAPI(
    title="Solidaire API",
    version="1",
    urls_namespace="api",
    description=(
        "Campaigns, beneficiaries and gifts, and the mutual-aid network's open posts, of the collectivité "
        "whose host you call. Amounts are integer cents."
    ),
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    details = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query")]
        details.append({"field": ".".join(location) or None, "message": error.get("msg", "invalid")})
    first = details[0] if details else {"field": None, "message": "invalid"}
    return api.create_response(
        request, {"detail": first["message"], "field": first["field"], "code": "invalid", "errors": details}, status=400
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "not found", "code": "not_found"}, status=404)


def _campaign(request, slug: str) -> Campaign:
    if request.tenant is None:
        raise Http404
    campaign = (
        Campaign.objects.public().select_related("collectivite").filter(collectivite=request.tenant, slug=slug).first()
    )
    if campaign is None:
        raise Http404
    return campaign


@api.get(
    "/campaigns/{slug:slug}", response={200: CampaignOut, 404: Error}, summary="A campaign, its rules and live figures"
)
@decorate_view(public_page)
def campaign_detail(request, slug: str):
    campaign = _campaign(request, slug)
    figures = campaign_figures(campaign)
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "summary": campaign.summary,
        "status": campaign.status,
        "phase": campaign.phase(),
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "min_gift_cents": campaign.min_gift_cents,
        "max_gift_cents": campaign.max_gift_cents,
        "suggested_gifts_cents": campaign.suggested_gifts_cents,
        "matching_ratio": campaign.matching_ratio_percent / 100,
        "matching_ratio_percent": campaign.matching_ratio_percent,
        "matching_budget_cents": campaign.matching_budget_cents,
        "matching_used_cents": figures.matching_used_cents,
        "matching_reserved_cents": figures.matching_reserved_cents,
        "matching_left_cents": figures.matching_left_cents,
        "beneficiary_cap_cents": campaign.beneficiary_cap_cents,
        "donor_limit_cents": campaign.donor_limit_cents,
        "gifts_total_cents": figures.gifts_total_cents,
        "gifts_count": figures.gifts_count,
        "donors_count": figures.donors_count,
    }


@api.get(
    "/campaigns/{slug:slug}/beneficiaries",
    response={200: BeneficiaryPage, 404: Error},
    summary="Approved beneficiaries, searchable like the directory",
)
def beneficiaries(
    request,
    slug: str,
    q: Text = "",
    category: Text = "",
    departement: Text = "",
    commune: Text = "",
    sort: Text = "name",
    near: Text = "",
    page: int = 1,
    per_page: int = Query(50, ge=1, le=200),
):
    campaign = _campaign(request, slug)
    query = DirectoryQuery.from_params(
        {"q": q, "category": category, "departement": departement, "commune": commune, "sort": sort, "near": near}
    )
    registrations, _origin = search(campaign, query)
    paginator = Paginator(registrations, per_page)
    current = paginator.get_page(page)
    with translation.override("fr"):
        base = reverse("beneficiaries:establishment_short", args=[campaign.slug, 0])
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [
            {
                "id": r.establishment_id,
                "name": r.establishment.trade_name,
                "category": r.establishment.category,
                "commune": r.establishment.commune.name,
                "commune_insee_code": r.establishment.commune.insee_code,
                "postal_code": r.establishment.postal_code,
                "counterpart": counterpart(r),
                "gifts_count": r.gifts_count,
                "gifts_total_cents": r.gifts_total_cents,
                "matching_total_cents": r.matching_total_cents,
                "url": request.build_absolute_uri(base.replace("/0/", f"/{r.establishment_id}/")),
            }
            for r in with_offers(current.object_list)
        ],
    }


@api.post(
    "/campaigns/{slug:slug}/beneficiaries/{id:beneficiary_id}/gifts",
    response={201: GiftCreated, 400: Error, 404: Error, 429: Error, 502: Error},
    summary="Start a gift: reserves the match and returns the hosted checkout URL",
)
def create_gift(request, slug: str, beneficiary_id: int, payload: GiftIn):
    campaign = _campaign(request, slug)
    registration = get_public_registration(campaign, beneficiary_id)
    try:
        validate_email(payload.email)
    except DjangoValidationError:
        return Status(400, {"detail": str(_("Enter a valid e-mail address.")), "field": "email", "code": "invalid"})
    if is_limited(request, payload.email):
        return Status(429, {"detail": "too many gifts started from here; try again later", "code": "rate_limited"})
    try:
        gift, token = actions.create_gift(
            registration=registration,
            amount_cents=payload.amount_cents,
            email=payload.email,
            donor_name=payload.donor_name,
            public_message=payload.public_message,
            anonymous=payload.anonymous,
            contact_consent=payload.contact_consent,
            voucher_reminder=payload.voucher_reminder,
            language=payload.language,
            client_address=client_address(request),
        )
        with translation.override(payload.language):
            actions.open_checkout(gift, **gift_urls(request, gift))
    except ActionError as exc:
        status = {"provider": 502, "too_many_open_gifts": 429}.get(exc.code, 400)
        return Status(
            status,
            {
                "detail": str(exc.message),
                "field": exc.field if exc.field != "amount" else "amount_cents",
                "code": exc.code,
            },
        )
    return Status(
        201,
        {
            "gift_id": gift.pk,
            "token": token,
            "status": gift.status,
            "amount_cents": gift.amount_cents,
            "checkout_url": gift.checkout_url,
            "match_promised_cents": gift.match_promised_cents,
            "match_note": gift.match_note,
            "reservation_expires_at": gift.reservation_expires_at,
        },
    )


@api.get("/gifts/{gift_id}", response={200: GiftOut, 404: Error}, summary="A gift's status and match (token required)")
def gift_detail(request, gift_id: UUID, token: Text):
    gift = Gift.objects.filter(pk=gift_id, collectivite=request.tenant).first() if request.tenant else None
    if gift is None or not gift.check_token(token):
        raise Http404
    return {
        "gift_id": gift.pk,
        "status": gift.status,
        "amount_cents": gift.amount_cents,
        "currency": gift.currency,
        "match_promised_cents": gift.match_promised_cents,
        "match_cents": gift.match_cents,
        "match_note": gift.match_note,
        "reservation_expires_at": gift.reservation_expires_at,
        "beneficiary_id": gift.registration.establishment_id,
        "campaign": gift.campaign.slug,
        "created_at": gift.created_at,
        "confirmed_at": gift.confirmed_at,
    }


@api.get(
    "/mutual-aid/posts",
    response={200: MutualAidPostPage, 404: Error},
    summary="Open requests and offers of the mutual-aid network (approximate places only)",
    description=(
        "The posts anyone may read on the network's page: open, approved, not in a sensitive category, "
        "newest first; filtered by kind (request or offer), category (its slug) and commune (its INSEE "
        "code). Not found when the collectivité's network is not open. A post's position is approximate "
        "(displaced once, at random); no address, name or e-mail is ever given."
    ),
)
def mutualaid_posts(
    request,
    kind: Text = "",
    category: Text = "",
    commune: Text = "",
    page: int = 1,
    per_page: int = Query(50, ge=1, le=200),
):
    get_network(request)  # not found unless the collectivité's network is open
    posts = public_posts(request.tenant)
    if kind:
        posts = posts.filter(kind=kind)
    if category:
        posts = posts.filter(category__slug=category)
    if commune:
        posts = posts.filter(commune_id=commune)
    paginator = Paginator(posts, per_page)
    current = paginator.get_page(page)
    # Outside the language-prefixed pages: the cookie, then Accept-Language, then French.
    language = translation.get_language_from_request(request)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [
            {
                "id": post.pk,
                "kind": post.kind,
                "category": {"slug": post.category.slug, "label": localized(post.category, "label", language)},
                "title": post.title,
                "text": post.text,
                "urgency": post.urgency,
                "commune": {"code": post.commune_id, "name": post.commune.name},
                "neighbourhood": post.neighbourhood.name if post.neighbourhood_id else None,
                "latitude": post.latitude,
                "longitude": post.longitude,
                "on_behalf": post.on_behalf,
                "created_at": post.created_at,
            }
            for post in current.object_list
        ],
    }
