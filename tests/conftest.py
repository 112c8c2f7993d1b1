"""Personas available to every test: two collectivités with a full cast each.

Collectivité A, "Région Grand Est" (territory: Bas-Rhin and Haut-Rhin), host grand-est.localhost:
  alice (admin), mona (moderator), fiona (finance), victor (viewer), oscar (owner), dora (donor)
Collectivité B, "Ville de Metz" (territory: Metz), host metz.localhost:
  bob (admin), mia (moderator), fabien (finance), vera (viewer), olga (owner), dan (donor)
And otto, the outsider: signed up, in no team anywhere.
"""

from types import SimpleNamespace

import pytest
from django.test import Client, override_settings

from solidaire.celery import app as celery_app

from .factories import CollectiviteFactory, MembershipFactory, UserFactory

ROLES = ("admin", "moderator", "finance", "viewer")


@pytest.fixture(autouse=True, scope="session")
def _test_settings():
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SOLIDAIRE_DEFAULT_TENANT="",
        SOLIDAIRE_BASE_DOMAIN="localhost",
        # Custom domains must be allowed hosts before a collectivité may use them.
        ALLOWED_HOSTS=["127.0.0.1", "localhost", ".localhost", "[::1]", "testserver", ".grandest.fr", ".moselle.fr"],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SOLIDAIRE_SANDBOX_TRANSPORT="tests.gifts.client_transport",
        # One process: the in-memory cache, emptied before each test (_clear_cache). The database
        # cache the settings choose is tested in tests/core/test_rate_limits_are_shared.py.
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        # Tests read pages right after changing what they show: the page cache is off but in
        # tests/core/test_public_page_cache.py, which turns it on.
        SOLIDAIRE_PUBLIC_PAGE_SECONDS=0,
        # Each test's rows are rolled back without a signal: a remembered collectivité would
        # outlive its test (tests/tenants/test_tenant_memo.py turns the memo on).
        SOLIDAIRE_TENANT_MEMO_SECONDS=0,
    ):
        yield


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch):
    """django-ratelimit counts in fixed windows of the clock (a minute, an hour): a test that
    straddled a window's end would see its count start again. The clock it reads stands still."""
    import types

    import django_ratelimit.core

    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: 1_800_000_000.0))


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language, whatever an earlier one left active."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from solidaire.ledger.journal import forget_accounts

    cache.clear()
    forget_accounts()
    yield
    forget_accounts()


def _cast(tenant, names, owner, donor):
    members = {}
    for role, name in zip(ROLES, names, strict=True):
        user = UserFactory(email=f"{name}@{tenant.slug}.example", first_name=name.capitalize())
        MembershipFactory(user=user, collectivite=tenant, role=role)
        members[role] = user
    return SimpleNamespace(
        tenant=tenant,
        host=f"{tenant.slug}.localhost",
        owner=UserFactory(email=f"{owner}@example.org", first_name=owner.capitalize()),
        donor=UserFactory(email=f"{donor}@example.org", first_name=donor.capitalize()),
        **members,
    )


@pytest.fixture
def personas(db):
    a = CollectiviteFactory(
        slug="grand-est",
        name="Région Grand Est",
        kind="region",
        insee_code="44",
        siren="200052264",
        departements=["67", "68"],
    )
    b = CollectiviteFactory(
        slug="metz", name="Ville de Metz", kind="commune", insee_code="57463", siren="215704636", departements=[]
    )
    b.communes.set(["57463"])
    return SimpleNamespace(
        a=_cast(a, ["alice", "mona", "fiona", "victor"], "oscar", "dora"),
        b=_cast(b, ["bob", "mia", "fabien", "vera"], "olga", "dan"),
        outsider=UserFactory(email="otto@example.org", first_name="Otto"),
    )


class TenantClient(Client):
    """A test client that talks to one collectivité’s host."""

    def __init__(self, host, user=None, **kwargs):
        super().__init__(HTTP_HOST=host, **kwargs)
        if user is not None:
            self.force_login(user)


@pytest.fixture
def client_for():
    def make(side, user=None):
        return TenantClient(side.host, user)

    return make
