"""E-mails about registrations, each in its recipient's language."""

from django.urls import reverse
from django.utils import translation

from solidaire.core.emails import send_templated
from solidaire.tenants.resolution import tenant_url


def _url(collectivite, name, *args, language="fr"):
    with translation.override(language):
        return tenant_url(collectivite, reverse(name, args=args))


def notify_moderators(registration) -> None:
    from .actions import moderators_of

    collectivite = registration.campaign.collectivite
    for membership in moderators_of(collectivite):
        user = membership.user
        send_templated(
            to=user.email,
            template="beneficiaries/email/to_moderate",
            language=user.language,
            collectivite=collectivite,
            context={
                "registration": registration,
                "establishment": registration.establishment,
                "campaign": registration.campaign,
                "url": _url(collectivite, "beneficiaries:moderation_detail", registration.pk, language=user.language),
            },
        )


def decision(registration) -> None:
    owner = registration.establishment.owner
    collectivite = registration.campaign.collectivite
    send_templated(
        to=owner.email,
        template="beneficiaries/email/decision",
        language=owner.language,
        collectivite=collectivite,
        context={
            "registration": registration,
            "establishment": registration.establishment,
            "campaign": registration.campaign,
            "status": registration.status,
            "message": registration.decision_message,
            "url": _url(collectivite, "beneficiaries:owner_registration", registration.pk, language=owner.language),
        },
    )


def changes_decided(establishment, *, approved: bool, message: str) -> None:
    owner = establishment.owner
    send_templated(
        to=owner.email,
        template="beneficiaries/email/changes_decided",
        language=owner.language,
        collectivite=establishment.collectivite,
        context={
            "establishment": establishment,
            "approved": approved,
            "message": message,
            "url": _url(establishment.collectivite, "beneficiaries:owner_home", language=owner.language),
        },
    )


def payout_details_changed(establishment) -> None:
    from .validators import mask_iban

    owner = establishment.owner
    send_templated(
        to=owner.email,
        template="beneficiaries/email/payout_details_changed",
        language=owner.language,
        collectivite=establishment.collectivite,
        context={
            "establishment": establishment,
            "iban": mask_iban(establishment.iban),
            "collectivite": establishment.collectivite,
        },
    )
