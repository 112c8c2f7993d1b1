from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability

from .actions import update_branding
from .forms import BrandingForm

PAGES = {"legal": "legal_notice", "accessibility": "accessibility_statement", "privacy": "privacy_policy"}


def public_page(request, page: str):
    field = PAGES[page]
    return render(request, "tenants/public_page.html", {"page": page, "text": getattr(request.tenant, field)})


@team_view(Capability.MANAGE_BRANDING)
def branding(request):
    form = BrandingForm(request.POST or None, request.FILES or None, instance=request.tenant)
    if request.method == "POST" and form.is_valid():
        update_branding(form=form, actor=request.user)
        messages.success(request, _("Your changes are saved."))
        return redirect("tenants:branding")
    return render(request, "tenants/branding.html", {"form": form})
