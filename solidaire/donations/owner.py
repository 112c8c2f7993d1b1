"""The owner's side of gifts: on their registration, the donors who agreed to be contacted, and
their export (CSV). Owners only, through beneficiaries.access."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from solidaire.beneficiaries.access import get_registration_for_owner

from . import contacts


@never_cache
@login_required
def donors_page(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    page = Paginator(contacts.consenting_donors(registration), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/owner_donors.html",
        {
            "registration": registration,
            "establishment": registration.establishment,
            "page": page,
            "donors": [contacts.row(gift) for gift in page],
        },
    )


@never_cache
@login_required
def donors_csv(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    content = contacts.export_csv(registration, actor=request.user)
    name = slugify(f"donateurs-{registration.establishment.trade_name}-{registration.campaign.slug}") or "donateurs"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
