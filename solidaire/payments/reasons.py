"""What the notifications log says of a notification's reason, in words a finance officer
understands: the inbox, the providers and the packages applying events (gifts, payout transfers)
record short technical reasons in English (Notification.reason, kept as evidence); this is the one
place that turns each of them into a translated sentence. A reason no pattern knows is shown as it
was recorded (some are already sentences: a refused action's message)."""

import re
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from solidaire.core.money import format_cents

_SIGNATURE = _(
    "Its signature does not match the collectivité’s secret, or is too old: it may be forged, or the secret may "
    "have changed at the payment provider."
)
_UNREADABLE = _("Its content could not be read as a notification of the payment provider.")

# (pattern of the recorded reason, the sentence; %(name)s takes the pattern's group of that name).
REASONS: list[tuple[str, object]] = [
    # Refused at the door, stored in short (payments.views, payments.inbox, the providers).
    (r"body larger than (?P<limit>\d+) bytes", _("It was larger than the inbox accepts (%(limit)s): it was not read.")),
    (
        r"provider not configured for this collectivité",
        _("It was sent for a payment provider the collectivité does not use: it was not read."),
    ),
    (r"bad or stale signature", _SIGNATURE),
    (r"No Stripe-Signature header.*", _SIGNATURE),
    (r"No signatures found .*", _SIGNATURE),
    (r"Unable to extract timestamp and signatures from header", _SIGNATURE),
    (r"Timestamp outside the tolerance zone.*", _SIGNATURE),
    (
        r"No webhook secret value was provided.*",
        _(
            "The collectivité’s Stripe signing secret is not set in the payment settings: no notification can be checked."
        ),
    ),
    (r"unreadable body|Expecting .*|Unrecognized event format.*|.*JSON.*", _UNREADABLE),
    (r"unknown event type (?P<type>.*)", _("It announced a kind of event the platform does not know (%(type)s).")),
    # Verified, then applied to a gift (donations).
    (r"unknown payment", _("No gift of the collectivité matches this payment.")),
    (r"currency missing", _("It did not say in which currency the payment was made.")),
    (
        r"currency (?P<stated>\S+) differs from (?P<expected>\S+)",
        _("Its currency (%(stated)s) is not the gift’s (%(expected)s)."),
    ),
    (
        r"disputed amount (?P<stated_cents>.+) is not an amount of this payment",
        _("The amount it says the card holder disputes (%(stated_cents)s) is not possible for this payment."),
    ),
    (
        r"refunded amount (?P<stated_cents>.+) is not an amount of this payment",
        _("The amount it says was refunded (%(stated_cents)s) is more than the payment."),
    ),
    (
        r"amount (?P<stated_cents>.+) is not a whole number of cents",
        _("The amount it states (%(stated_cents)s) is not a whole number of cents."),
    ),
    (
        r"amount (?P<stated_cents>.+) differs from (?P<expected_cents>\d+)",
        _("The amount it states (%(stated_cents)s) is not the gift’s (%(expected_cents)s)."),
    ),
    (r"details already booked", _("The payment’s fee and transfer were already recorded: nothing to change.")),
    (r"gift is \w+", _("Nothing to change: the gift is already past this step.")),
    (
        r"the gift is \w+: .+ waits",
        _("It must wait for an earlier event about the same gift; the payment provider sends it again."),
    ),
    (
        r"the payment’s fee and transfer are not known yet",
        _("It waits until the payment’s fee and transfer are known; the payment provider sends it again."),
    ),
    (r"dispute \S+ is \w+", _("This dispute was already recorded: nothing to change.")),
    (r"refund already booked", _("This refund was already recorded: nothing to change.")),
    (
        r"refund of (?P<refund_cents>\d+) exceeds what stands \((?P<standing_cents>\d+)\)",
        _("The refund (%(refund_cents)s) is more than what remains of the gift (%(standing_cents)s)."),
    ),
    (r"no such refund waiting", _("No refund of this gift was waiting for this answer.")),
    (r"no such dispute open", _("No open dispute of this gift matches it.")),
    (r"not a payment event", _("An event of the payment provider’s that the platform has no use for: nothing to do.")),
    # Verified, then applied to a payment batch's transfer (payouts).
    (r"not a transfer of a payout batch", _("This transfer is not one of the collectivité’s payment batches.")),
    (r"the batch is not marked sent yet", _("It waits until its payment batch is marked sent.")),
    (r"the line is \w+ already", _("Nothing to change: this line of the payment batch was already settled.")),
    (
        r"transfer reversed after its line was marked paid",
        _("The transfer came back after its line was marked paid: look into it with the beneficiary."),
    ),
    (r"not a transfer event", _("An event about transfers that the platform has no use for: nothing to do.")),
    (r"the transfer's amount is not the line's", _("The transfer’s amount is not the line’s.")),
    (r"the transfer's currency is not the euro", _("The transfer’s currency is not the euro.")),
    (
        r"the transfer went to another account than the line's",
        _("The transfer went to another account than the beneficiary’s."),
    ),
    (r"another transfer than the one made for the line", _("It is about another transfer than the line’s.")),
]

_COMPILED = [(re.compile(pattern, re.DOTALL), sentence) for pattern, sentence in REASONS]


@dataclass(frozen=True)
class Explained:
    sentence: str  # what the page says
    technical: str  # the reason as recorded, when the sentence is not it ("" otherwise)


def _value(name: str, value: str) -> str:
    """A pattern's group as the sentence shows it: amounts in cents as money, sizes in bytes."""
    if name.endswith("_cents"):
        return format_cents(int(value)) if value.removeprefix("-").isdigit() else value.strip("'\"")
    if name == "limit":
        return filesizeformat(int(value))
    return value.strip("'\"")


def explain(reason: str) -> Explained:
    """The sentence for a recorded reason ("" for none)."""
    if not reason:
        return Explained("", "")
    for pattern, sentence in _COMPILED:
        match = pattern.fullmatch(reason)
        if match:
            values = {name: _value(name, value) for name, value in match.groupdict().items()}
            return Explained(str(sentence) % values if values else str(sentence), reason)
    return Explained(reason, "")
