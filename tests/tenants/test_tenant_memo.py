"""Each web process remembers which collectivité a host is for SOLIDAIRE_TENANT_MEMO_SECONDS
(solidaire.tenants.resolution): no query for it on every request, a change seen at once in the
process that made it, and each request its own copy."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solidaire.tenants import resolution
from solidaire.tenants.models import Collectivite, Domain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _memo_on(settings):
    settings.SOLIDAIRE_TENANT_MEMO_SECONDS = 60
    resolution._memo.clear()
    yield
    resolution._memo.clear()


def test_a_host_is_resolved_once_then_remembered(personas):
    first = resolution.resolve_tenant("grand-est.localhost")
    with CaptureQueriesContext(connection) as queries:
        again = resolution.resolve_tenant("grand-est.localhost")
    assert len(queries) == 0
    assert again == first == personas.a.tenant


def test_each_request_gets_its_own_copy(personas):
    mine = resolution.resolve_tenant("grand-est.localhost")
    mine.main_colour = "#ff0000"  # a form that refuses its data has already set it
    assert resolution.resolve_tenant("grand-est.localhost").main_colour != "#ff0000"


def test_a_change_is_seen_at_once_in_this_process(personas):
    resolution.resolve_tenant("grand-est.localhost")
    tenant = Collectivite.objects.get(pk=personas.a.tenant.pk)
    tenant.is_active = False
    tenant.save()
    assert resolution.resolve_tenant("grand-est.localhost") is None
    # A new domain is known at once too.
    tenant.is_active = True
    tenant.save()
    assert resolution.resolve_tenant("dons.grandest.fr") is None
    Domain.objects.create(collectivite=tenant, host="dons.grandest.fr")
    assert resolution.resolve_tenant("dons.grandest.fr") == tenant


def test_the_memo_is_off_at_zero(personas, settings):
    settings.SOLIDAIRE_TENANT_MEMO_SECONDS = 0
    resolution.resolve_tenant("grand-est.localhost")
    with CaptureQueriesContext(connection) as queries:
        resolution.resolve_tenant("grand-est.localhost")
    assert len(queries) >= 1
