"""The back office's dashboards: one per campaign and one for the whole collectivité, for every
team role (VIEW_DASHBOARD). Filters are a GET form; each chart is an SVG of its own address with
the same filters, shown with <img>; the figures download as CSV or XLSX."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.campaigns.access import get_campaign_for_team
from solidaire.campaigns.models import Campaign
from solidaire.core.forms import DateField
from solidaire.core.svg import svg_picture_policy, svg_response

from . import charts, downloads, figures
from . import forecast as forecasting


class FiltersForm(forms.Form):
    start = DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    departement = forms.ChoiceField(label=_("Département"), required=False)
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, data, *, options: dict):
        super().__init__(data)
        every = [("", _("All"))]
        self.fields["departement"].choices = every + options["departements"]
        self.fields["commune"].choices = every + options["communes"]
        self.fields["category"].choices = every + options["categories"]
        if options["communes_narrowed"]:
            self.fields["commune"].help_text = _("Choose a département and filter: its communes are then listed.")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data

    def filters(self) -> figures.Filters:
        """The filters of the fields that are valid (an invalid one is shown, and ignored)."""
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}
        return figures.Filters(
            start=data.get("start"),
            end=data.get("end"),
            departement=data.get("departement") or "",
            commune=data.get("commune") or "",
            category=data.get("category") or "",
        )


def _filtered(request, campaign=None):
    options = figures.choices(
        request.tenant,
        campaign,
        departement=request.GET.get("departement", ""),
        commune=request.GET.get("commune", ""),
    )
    form = FiltersForm(request.GET or None, options=options)
    return form, form.filters() if request.GET else figures.Filters()


def _page(request, template: str, campaign=None, **context):
    form, filters = _filtered(request, campaign)
    dashboard = figures.dashboard(request.tenant, campaign, filters)
    if campaign is not None:
        chart_urls = {name: reverse("reporting:dashboard_chart", args=[campaign.slug, name]) for name in charts.CHARTS}
    else:
        chart_urls = {name: reverse("reporting:summary_chart", args=[name]) for name in charts.CHARTS}
    return render(
        request,
        template,
        {
            "form": form,
            "filters": filters,
            "figures": dashboard,
            "query": request.GET.urlencode(),
            "campaign": campaign,
            "chart_urls": chart_urls,
            "top_communes": figures.TOP_COMMUNES,
            "half_life": forecasting.HALF_LIFE_DAYS,
            "window": forecasting.WINDOW_DAYS,
            **context,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@team_view(Capability.VIEW_DASHBOARD)
def dashboard(request, slug: str):
    campaign = get_campaign_for_team(request, slug, Capability.VIEW_DASHBOARD)
    budget = figures.budget_of(request.tenant, campaign)
    return _page(
        request,
        "reporting/dashboard.html",
        campaign,
        forecast=figures.campaign_forecast(
            campaign, budget, daily=figures.match_per_day(figures.dashboard(request.tenant, campaign).days)
        ),
        today=timezone.localdate(),
    )


@require_GET
@team_view(Capability.VIEW_DASHBOARD)
def summary(request):
    campaigns = list(Campaign.objects.for_tenant(request.tenant).public().order_by("-starts_at"))
    rows = []
    for campaign in campaigns:
        budget = figures.budget_of(request.tenant, campaign)
        # An open campaign’s days, kept a minute (its dashboard reads them too); the others need none.
        days = figures.dashboard(request.tenant, campaign).days if campaign.phase() == "open" else []
        forecast = figures.campaign_forecast(campaign, budget, daily=figures.match_per_day(days))
        rows.append((campaign, budget, forecast))
    return _page(request, "reporting/summary.html", None, campaigns=rows)


def _svg(request, campaign, name: str) -> HttpResponse:
    if name not in charts.CHARTS:
        raise Http404
    _form, filters = _filtered(request, campaign)
    svg = charts.render(name, figures.dashboard(request.tenant, campaign, filters))
    return svg_response(svg)


@require_GET
@team_view(Capability.VIEW_DASHBOARD)
@svg_picture_policy
def dashboard_chart(request, slug: str, chart: str):
    campaign = get_campaign_for_team(request, slug, Capability.VIEW_DASHBOARD)
    return _svg(request, campaign, chart)


@require_GET
@team_view(Capability.VIEW_DASHBOARD)
@svg_picture_policy
def summary_chart(request, chart: str):
    return _svg(request, None, chart)


def _download(request, campaign, fmt: str) -> HttpResponse:
    if fmt not in downloads.FORMATS:
        raise Http404
    _form, filters = _filtered(request, campaign)
    dashboard = figures.dashboard(request.tenant, campaign, filters)
    name = campaign.slug if campaign is not None else request.tenant.slug
    content, content_type = downloads.build(fmt, dashboard, filters=filters, title=str(campaign or request.tenant))
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="tableau-de-bord-{name}-{stamp}.{fmt}"'
    return response


@require_GET
@team_view(Capability.VIEW_DASHBOARD)
def dashboard_download(request, slug: str, fmt: str):
    campaign = get_campaign_for_team(request, slug, Capability.VIEW_DASHBOARD)
    return _download(request, campaign, fmt)


@require_GET
@team_view(Capability.VIEW_DASHBOARD)
def summary_download(request, fmt: str):
    return _download(request, None, fmt)
