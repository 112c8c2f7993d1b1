"""What the donor receives, in words generated from the approved offer: the one source for the
directory's cards, the establishment’s page, the gift pages, the receipt and the API. No offer
approved, nothing claimed."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from solidaire.core.money import format_cents
from solidaire.core.typography import long_date, typeset

from .models import Offer, OfferKind, OfferStatus, ValueMode


def describe(offer: Offer | None) -> str:
    """ "A voucher worth your gift plus 20 %", "A voucher worth 5 €", "Un café offert"; "" for no
    offer or an offer of no counterpart. In the active language."""
    if offer is None or offer.kind == OfferKind.NONE:
        return ""
    if offer.kind == OfferKind.ITEM:
        return capfirst(offer.item_label.strip())
    if offer.value_mode == ValueMode.FIXED:
        text = _("A voucher worth %(value)s") % {"value": format_cents(offer.fixed_value_cents or 0)}
    elif offer.percent_of_gift == 100 and offer.bonus_percent:
        text = _("A voucher worth your gift plus %(bonus)s %%") % {"bonus": offer.bonus_percent}
    elif offer.percent_of_gift + offer.bonus_percent == 100:
        text = _("A voucher worth your gift")
    else:
        text = _("A voucher worth %(share)s %% of your gift") % {"share": offer.percent_of_gift + offer.bonus_percent}
    return typeset(text)


def conditions(offer: Offer | None) -> list[str]:
    """The offer's conditions as short sentences: minimum gift, validity, use in one go."""
    if offer is None or offer.kind == OfferKind.NONE:
        return []
    found = []
    if offer.min_gift_cents:
        found.append(_("For gifts of %(low)s or more.") % {"low": format_cents(offer.min_gift_cents)})
    if offer.valid_until:
        found.append(_("Valid until %(end)s.") % {"end": long_date(offer.valid_until)})
    elif offer.validity_days:
        days = offer.validity_days
        found.append(
            ngettext("Valid %(days)s day after the gift.", "Valid %(days)s days after the gift.", days) % {"days": days}
        )
    if offer.kind == OfferKind.VALUE:
        found.append(_("May be used in several times.") if offer.partial_use else _("To be used in one go."))
    return [typeset(sentence) for sentence in found]


def in_force(registration) -> Offer | None:
    """The approved offer of a registration: the one given by `with_offers` when it was called."""
    if hasattr(registration, "offer_in_force"):
        return registration.offer_in_force
    return Offer.objects.filter(registration=registration, status=OfferStatus.APPROVED).first()


def with_offers(registrations) -> list:
    """Registrations (a page of the directory) with their approved offer, in one query."""
    registrations = list(registrations)
    offers = {
        offer.registration_id: offer
        for offer in Offer.objects.filter(registration__in=[r.pk for r in registrations], status=OfferStatus.APPROVED)
    }
    for registration in registrations:
        registration.offer_in_force = offers.get(registration.pk)
    return registrations


def for_gift(gift) -> str:
    """What a gift brings its donor: its voucher’s offer once issued, else the offer in force when
    the gift is large enough for it."""
    voucher = getattr(gift, "voucher", None) if gift.pk else None
    if voucher is not None:
        return describe(voucher.offer)
    offer = in_force(gift.registration)
    if offer is not None and offer.min_gift_cents and gift.amount_cents < offer.min_gift_cents:
        return ""
    return describe(offer)


def counterpart(registration) -> str:
    """What a registration's donors receive, in words; "" when no offer is approved."""
    return describe(in_force(registration))
