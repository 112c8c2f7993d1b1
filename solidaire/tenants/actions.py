from django.conf import settings
from django.db import transaction

from solidaire.accounts.actions import add_admin
from solidaire.audit.events import record
from solidaire.core.images import normalise_image
from solidaire.payments.models import PaymentAccount, new_secret

from .models import Collectivite, Domain


@transaction.atomic
def create_collectivite(*, form, actor=None, admin_password: str | None = None, request=None) -> Collectivite:
    """Creates a tenant from a valid CollectiviteCreationForm, with its territory, domains and
    first administrator."""
    collectivite = form.save()
    collectivite.communes.set(form.territory())
    PaymentAccount.objects.create(
        collectivite=collectivite, sandbox_secret=settings.SOLIDAIRE_SANDBOX_SECRET or new_secret()
    )
    for host in form.cleaned_data["domains"]:
        Domain.objects.create(collectivite=collectivite, host=host)
    record(
        collectivite=collectivite,
        actor=actor,
        action="tenant.created",
        obj=collectivite,
        data={"communes": collectivite.communes.count(), "domains": form.cleaned_data["domains"]},
    )
    add_admin(
        collectivite=collectivite,
        email=form.cleaned_data["admin_email"],
        password=admin_password,
        actor=actor,
        request=request,
    )
    return collectivite


@transaction.atomic
def update_branding(*, form, actor) -> Collectivite:
    changed = list(form.changed_data)
    collectivite = form.save(commit=False)
    if "logo" in changed and collectivite.logo:
        collectivite.logo = normalise_image(collectivite.logo.file, max_side=600)
    collectivite.save()
    if changed:
        record(
            collectivite=collectivite,
            actor=actor,
            action="tenant.branding_changed",
            obj=collectivite,
            data={"fields": changed},
        )
    return collectivite
