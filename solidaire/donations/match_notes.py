"""Why a gift gets less public money than the campaign’s ratio gives (gift.match_note, set by the
matching engine), and what it gets instead: the facts worked out once (`facts`), told in two
wordings — to the donor, in the second person ("your gift…": the gift's page, the receipt), and to
the finance officer, in the third person ("the donor’s gift…": the gift's page in the back office).
"""

from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from solidaire.core import typography
from solidaire.core.money import format_cents
from solidaire.matching.engine import (
    NOTE_BUDGET,
    NOTE_CAP,
    NOTE_CLOSED,
    NOTE_DONOR_LIMIT,
    NOTE_EXPIRED,
    NOTE_OWN,
    NOTE_SAME_BENEFICIARY,
)


@dataclass(frozen=True)
class MatchFacts:
    reason: str  # one of the matching engine's notes; any other reads as the budget
    matched_cents: int  # what the gift gets: promised before the payment, posted after it
    full_cents: int  # what the campaign’s ratio alone would give
    confirmed: bool  # the payment is confirmed (the match is posted, not only promised)
    collectivite: object


@dataclass(frozen=True)
class Wording:
    reasons: dict  # reason → sentence
    matched: object  # "%(collectivite)s … %(match)s … %(full)s"
    not_matched: object
    promised: object = None  # before the payment, when it differs from `matched`


def facts(gift) -> MatchFacts:
    known = (NOTE_OWN, NOTE_DONOR_LIMIT, NOTE_SAME_BENEFICIARY, NOTE_CAP, NOTE_CLOSED, NOTE_EXPIRED)
    return MatchFacts(
        reason=gift.match_note if gift.match_note in known else NOTE_BUDGET,
        matched_cents=gift.match_shown_cents,
        full_cents=gift.match_full_cents,
        confirmed=bool(getattr(gift, "confirmed_at", None)),
        collectivite=gift.campaign.collectivite,
    )


DONOR = Wording(
    reasons={
        NOTE_OWN: _("Gifts to your own establishment, or one where you work, are not matched with public money."),
        NOTE_DONOR_LIMIT: _("You have reached the limit of public money one donor can bring in this campaign."),
        NOTE_SAME_BENEFICIARY: _(
            "Your gifts to this establishment have reached the most public money one donor can bring it."
        ),
        NOTE_CAP: _("This establishment has received the most public money it can receive."),
        NOTE_CLOSED: _("The campaign ended before your payment was confirmed."),
        NOTE_EXPIRED: _(
            "Your payment arrived after the public money reserved for you was released, and less of it was left."
        ),
        NOTE_BUDGET: _("The public budget is nearly used up."),
    },
    matched=_("%(collectivite)s adds %(match)s instead of %(full)s."),
    not_matched=_("This gift is not matched with public money, but it goes entirely to the establishment."),
)

FINANCE = Wording(
    reasons={
        NOTE_OWN: _(
            "The donor gave to their own establishment, or one where they work: such gifts are not matched with "
            "public money."
        ),
        NOTE_DONOR_LIMIT: _("The donor had reached the limit of public money one donor can bring in this campaign."),
        NOTE_SAME_BENEFICIARY: _(
            "The donor’s gifts to this establishment had reached the most public money one donor can bring it."
        ),
        NOTE_CAP: _("The establishment had received the most public money it can receive."),
        NOTE_CLOSED: _("The campaign ended before the donor’s payment was confirmed."),
        NOTE_EXPIRED: _(
            "The donor’s payment arrived after the public money reserved for the gift was released, and less of it "
            "was left."
        ),
        NOTE_BUDGET: _("The public budget was nearly used up."),
    },
    matched=_("The donor’s gift was matched by %(collectivite)s with %(match)s instead of %(full)s."),
    promised=_("The donor’s gift is promised %(match)s by %(collectivite)s instead of %(full)s."),
    not_matched=_("The donor’s gift is not matched with public money; it goes entirely to the establishment."),
)


def sentences(gift, wording: Wording, *, html: bool = True) -> str:
    """Why, then what the gift gets, in `wording`: escaped (and safe) for a page when `html`,
    plain for an e-mail's text. The amounts' sentence is typeset (non-breaking spaces)."""
    told = facts(gift)
    escape = conditional_escape if html else str
    why = escape(str(wording.reasons[told.reason]))
    if told.matched_cents:
        sentence = wording.matched if told.confirmed or wording.promised is None else wording.promised
        what = str(sentence) % {
            "collectivite": escape(typography.with_article(told.collectivite.name, told.collectivite.article)),
            "match": escape(format_cents(told.matched_cents)),
            "full": escape(format_cents(told.full_cents)),
        }
        what = typography.typeset(what)
    else:
        what = escape(str(wording.not_matched))
    text = f"{why} {what}"
    return mark_safe(text) if html else text  # noqa: S308 — every part escaped above
