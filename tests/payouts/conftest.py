import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt

from solidaire.payouts.models import PayoutSettings

from ..donations.conftest import cafe, campaign  # noqa: F401 - shared fixtures
from ..factories import MembershipFactory, UserFactory


def with_two_factor(user):
    """Switches on allauth's TOTP for the user (as its setup page would); returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_code(user) -> str:
    """The code the person's authenticator app shows now."""
    secret = decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def finance(personas):
    """Région Grand Est's two finance officers, both with two-factor authentication: fiona
    prepares, tristan approves."""
    tristan = UserFactory(email="tristan@grand-est.example", first_name="Tristan")
    MembershipFactory(user=tristan, collectivite=personas.a.tenant, role="finance")
    with_two_factor(personas.a.finance)
    with_two_factor(tristan)
    return personas.a.finance, tristan


@pytest.fixture
def bank_account(personas):
    return PayoutSettings.objects.create(
        collectivite=personas.a.tenant,
        debtor_name="REGION GRAND EST",
        iban="FR7630001007941234567890185",
        bic="BDFEFRPPCCT",
    )
