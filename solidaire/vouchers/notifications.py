from solidaire.core.emails import send_templated

from .documents import private_url


def reminder(voucher) -> None:
    gift = voucher.gift
    send_templated(
        to=gift.email,
        template="vouchers/email/reminder",
        language=gift.language,
        collectivite=gift.collectivite,
        context={"voucher": voucher, "establishment": voucher.registration.establishment, "url": private_url(voucher)},
    )


def offer_decided(offer) -> None:
    from django.urls import reverse
    from django.utils import translation

    from solidaire.tenants.resolution import tenant_url

    owner = offer.registration.establishment.owner
    with translation.override(owner.language):
        path = reverse("vouchers:offer", args=[offer.registration_id])
    send_templated(
        to=owner.email,
        template="vouchers/email/offer_decided",
        language=owner.language,
        collectivite=offer.registration.campaign.collectivite,
        context={
            "offer": offer,
            "establishment": offer.registration.establishment,
            "url": tenant_url(offer.registration.campaign.collectivite, path),
        },
    )
