"""Alerts' pages: a member lists their alerts of this network, adds one, deletes one
(/entraide/alertes/); from the link of an e-mail, anyone holding it deletes that alert without
signing in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from solidaire.core.errors import ActionError

from . import alerts
from .access import get_alert_for_owner, get_network, reader_for
from .alert_forms import AlertForm


def _error(form, exc: ActionError) -> None:
    field = {"commune": "commune_text"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
def alerts_page(request):
    get_network(request)
    mine = list(alerts.alerts_of(request.tenant, request.user))
    form = AlertForm(
        request.POST or None, collectivite=request.tenant, sees_sensitive=reader_for(request).sees_sensitive
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alerts.save_alert(
                collectivite=request.tenant,
                user=request.user,
                kind=data["kind"],
                categories=data["categories"],
                commune=form.commune,
                distance_km=data["distance_km"],
                frequency=data["frequency"],
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Your alert is saved."))
            return redirect("mutualaid:alerts")
    return render(
        request,
        "mutualaid/alerts.html",
        {"form": form, "alerts": mine, "full": len(mine) >= alerts.MAX_ALERTS, "max_alerts": alerts.MAX_ALERTS},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def delete(request, pk: int):
    get_network(request)
    alert = get_alert_for_owner(request, pk)
    alerts.delete_alert(alert=alert, actor=request.user)
    messages.success(request, _("The alert is deleted: you will receive no more e-mails from it."))
    return redirect("mutualaid:alerts")


# RFC 8058: mail programs unsubscribe with a POST of their own, without the page's CSRF token; the
# signed token in the address is what proves the link came from the e-mail.
@csrf_exempt
def unsubscribe(request, token: str):
    """The link of every alert e-mail: one button that deletes the alert (a GET changes nothing,
    so that mail scanners opening links delete nothing), and the one-click POST of
    List-Unsubscribe."""
    get_network(request)
    data = alerts.read_token(request.tenant, token)
    if data is None:
        return render(request, "mutualaid/alert_unsubscribe.html", {"invalid": True}, status=400)
    alert = alerts.alert_for_token(request.tenant, data)
    done = alert is None
    if alert is not None and request.method == "POST":
        alerts.delete_alert(alert=alert, actor=alert.user)
        done = True
    return render(request, "mutualaid/alert_unsubscribe.html", {"alert": alert, "done": done})
