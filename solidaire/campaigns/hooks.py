"""What the packages above campaigns plug into a campaign's life, so that campaigns never imports
them: the matching engine keeps the pools in step with the budget when a campaign is saved, and
the gifts package computes the live figures pages show (budget used, reserved, left)."""

from collections.abc import Callable

_on_saved: list[Callable] = []
_figures: list[Callable] = []


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
