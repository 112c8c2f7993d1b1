"""Payment providers behind one interface (see base.Provider)."""

from ..models import PaymentAccount, ProviderName
from .base import Checkout, InvalidNotification, PaymentEvent, Provider, ProviderError
from .sandbox import SandboxProvider
from .stripe import StripeProvider


def account_of(collectivite) -> PaymentAccount:
    """The collectivité’s payment account: the one loaded with it when there is one (the tenant
    middleware loads it with the collectivité), created on first use otherwise."""
    try:
        return collectivite.payment_account
    except PaymentAccount.DoesNotExist:
        account, _created = PaymentAccount.objects.get_or_create(collectivite=collectivite)
        collectivite.payment_account = account
        return account


def provider_for(collectivite, name: str | None = None) -> Provider:
    """The collectivité’s provider for new gifts, or — given a name — the provider a gift was
    paid through. A real provider stays reachable after the collectivité switched away from it
    (real money may still move: late confirmations, refunds); the sandbox only while it is the
    collectivité’s provider — otherwise leftover test checkouts could confirm gifts, and their
    matches, without any money."""
    account = account_of(collectivite)
    name = name or account.provider
    if name == ProviderName.STRIPE:
        if name != account.provider and not account.stripe_webhook_secret:
            raise ProviderError("Stripe is not configured for this collectivité")
        return StripeProvider(account)
    if name == ProviderName.SANDBOX:
        if account.provider != ProviderName.SANDBOX:
            raise ProviderError("the sandbox is not this collectivité’s provider any more")
        return SandboxProvider(account)
    raise ProviderError(f"unknown provider {name!r}")


__all__ = ["Checkout", "InvalidNotification", "PaymentEvent", "Provider", "ProviderError", "account_of", "provider_for"]
