"""The dashboard of "Café Solidaire" over the filled database (200,000 confirmed gifts by
default): how long the viewer waits for the page, a filtered page, a chart and the CSV, each
computed afresh (the figures' one-minute cache emptied before every request) and then served from
that cache; and, as the baseline measured in the same run on the same machine, the campaign's
back-office page, so that the ratio says what the dashboard costs whatever the machine.

In-process (Django's test client, no HTTP server): what is measured is the view's own work —
its queries and rendering — which is what grows with the number of gifts."""

import time

from .stats import percentile


def _timed(client, path: str, times: int, *, cold: bool) -> tuple[list[float], int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    latencies, queries = [], 0
    for _ in range(times):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(ctx.captured_queries)
    return latencies, queries


def run(args) -> None:
    import django

    django.setup()
    from django.test import Client

    from solidaire.accounts.actions import ensure_verified_user
    from solidaire.accounts.models import Membership
    from solidaire.donations.models import Gift

    from .fill import fill

    filled = fill(args.establishments, args.gifts)
    campaign = filled["campaign"]
    viewer, _created = ensure_verified_user(email="elus@bench.example")
    Membership.objects.get_or_create(user=viewer, collectivite=campaign.collectivite, defaults={"role": "viewer"})
    client = Client(HTTP_HOST="bench.localhost")
    client.force_login(viewer)
    base = f"/gestion/campagnes/{campaign.slug}/tableau-de-bord/"
    paths = {
        "baseline: campaign back-office page": f"/gestion/campagnes/{campaign.slug}/",
        "dashboard": base,
        "dashboard, filtered (Bas-Rhin, cafés)": f"{base}?departement=67&category=cafe",
        "chart: per day (SVG)": f"{base}graphiques/days.svg",
        "figures as CSV": f"{base}chiffres.csv",
        "collectivité summary": "/gestion/tableau-de-bord/",
    }
    times = args.dashboard_requests
    print(
        f"\n== Dashboard: {Gift.objects.filter(campaign=campaign).count()} gifts "
        f"(filled in {filled['seconds']:.0f} s), {times} requests each, in-process =="
    )
    for path in paths.values():
        client.get(path)  # warm up: templates, connections
    baseline = None
    for name, path in paths.items():
        for cold in (True, False):
            if name.startswith("baseline") and not cold:
                continue
            latencies, queries = _timed(client, path, times, cold=cold)
            p50 = percentile(latencies, 50)
            baseline = baseline or p50
            state = "computed" if cold else "cached  "
            print(
                f"{name:<40} {state} {queries:3d} queries   p50 {p50:8.1f} ms   "
                f"p90 {percentile(latencies, 90):8.1f} ms   max {max(latencies):8.1f} ms   ×{p50 / baseline:6.1f}"
            )
    from solidaire.reporting.figures import campaign_forecast

    forecast = campaign_forecast(campaign)
    print(f"forecast: {forecast.outcome}, {forecast.date} ({forecast.earliest} – {forecast.latest})")
