"""Public pages: a campaign’s transparency page, its open-data file (SCDL Subventions), and the
collectivité’s list of datasets, as a page and as JSON. Anyone may read them on the
collectivité’s host; drafts and other collectivités' campaigns answer 404."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from solidaire.tenants.resolution import tenant_url

from . import scdl
from .access import get_public_campaign, public_campaigns
from .figures import last_update, last_updates
from .figures import transparency as transparency_of

# Beneficiaries listed per page of the transparency page (the totals and distributions above the
# list cover them all; the open-data file has them all too).
PER_PAGE = 50


def _licence_headers(response, *, modified, schema: bool = False):
    """The Licence Ouverte asks re-users to cite the source and its last update: both travel
    with the file (RFC 8288 links, Last-Modified)."""
    links = [f'<{scdl.LICENCE_URL}>; rel="license"; title="{scdl.LICENCE_NAME}"']
    if schema:
        links.append(f'<{scdl.SCHEMA_URL}>; rel="describedby"; type="application/json"')
    response["Link"] = ", ".join(links)
    response["Last-Modified"] = http_date(modified.timestamp())
    return response


@require_GET
def transparency(request, slug: str):
    campaign = get_public_campaign(request, slug)
    figures = transparency_of(campaign)
    return render(
        request,
        "opendata/transparency.html",
        {
            "campaign": campaign,
            "figures": figures,
            "page": Paginator(figures.beneficiaries, PER_PAGE).get_page(request.GET.get("page")),
            "updated": last_update(campaign),
            "missing": scdl.missing(campaign),
        },
    )


@require_GET
def subventions_csv(request, slug: str):
    campaign = get_public_campaign(request, slug)
    if scdl.missing(campaign):
        raise Http404("the open-data file of this campaign cannot be published yet")
    response = HttpResponse(scdl.to_csv(campaign).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scdl.file_name(campaign)}"'
    return _licence_headers(response, modified=last_update(campaign), schema=True)


def _datasets(request) -> list[dict]:
    campaigns = list(public_campaigns(request))
    updated = last_updates(campaigns)
    return [
        {"campaign": campaign, "missing": scdl.missing(campaign), "updated": updated[campaign.pk]}
        for campaign in campaigns
    ]


@require_GET
def datasets(request):
    return render(
        request,
        "opendata/datasets.html",
        {
            "datasets": _datasets(request),
            "schema_page": scdl.SCHEMA_PAGE,
            "schema_version": scdl.SCHEMA_VERSION,
            "licence_url": scdl.LICENCE_URL,
        },
    )


@require_GET
def catalogue(request):
    """The collectivité’s datasets in a DCAT-like JSON (the fields data.gouv.fr asks for)."""
    tenant = request.tenant
    site = tenant_url(tenant, "", request)  # one look-up of the canonical host for every link
    items = []
    for item in _datasets(request):
        if item["missing"]:
            continue
        campaign = item["campaign"]
        start, end = scdl.period(campaign).split("/")
        items.append(
            {
                "identifier": f"{tenant.slug}/{campaign.slug}/subventions",
                "title": f"Subventions — {campaign.title}",
                "description": (
                    f"Abondement public versé par {tenant.name} à chaque bénéficiaire de la campagne "
                    f"« {campaign.title} » (un bénéficiaire par ligne), au format SCDL Subventions."
                ),
                "publisher": {"name": tenant.name, "siret": tenant.siret},
                "license": scdl.LICENCE_ID,
                "license_url": scdl.LICENCE_URL,
                "url": site + reverse("opendata:subventions_csv", args=[campaign.slug]),
                "landing_page": site + reverse("opendata:transparency", args=[campaign.slug]),
                "format": "csv",
                "mime": "text/csv",
                "schema": {"name": scdl.SCHEMA_NAME, "version": scdl.SCHEMA_VERSION, "url": scdl.SCHEMA_URL},
                "temporal_coverage": {"start": start, "end": end},
                "modified": item["updated"].isoformat(),
            }
        )
    body = {
        "title": f"Données ouvertes — {tenant.name}",
        "publisher": {"name": tenant.name, "siret": tenant.siret},
        "homepage": site + reverse("opendata:datasets"),
        "license": scdl.LICENCE_ID,
        "license_url": scdl.LICENCE_URL,
        "datasets": items,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})
