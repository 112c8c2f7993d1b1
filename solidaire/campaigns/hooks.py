"""What the packages above campaigns plug into a campaign’s life, so that campaigns never imports
them: the matching engine keeps the pools in step with the budget when a campaign is saved, the
gifts package computes the live figures pages show (budget used, reserved, left), and the
vouchers package says what a registration still lacks before a moderator may approve it (the
counterpart a campaign requires)."""

from collections.abc import Callable

_on_saved: list[Callable] = []
_figures: list[Callable] = []
_approval_checks: list[Callable] = []


def on_saved(handler: Callable) -> None:
    """handler(campaign), called inside the transaction that saved the campaign."""
    if handler not in _on_saved:
        _on_saved.append(handler)


def saved(campaign) -> None:
    for handler in _on_saved:
        handler(campaign)


def provide_figures(compute: Callable) -> None:
    _figures[:] = [compute]


def figures_of(campaign):
    (compute,) = _figures
    return compute(campaign)


def check_before_approval(check: Callable) -> None:
    """check(registration) → why it cannot be approved yet (a translated sentence), or "".
    Called by beneficiaries.actions.approve inside its transaction, and by the moderation page
    to say so before the moderator decides."""
    if check not in _approval_checks:
        _approval_checks.append(check)


def approval_blockers(registration) -> list:
    """What every registered check says stands in the way of approving `registration`."""
    return [reason for check in _approval_checks if (reason := check(registration))]
