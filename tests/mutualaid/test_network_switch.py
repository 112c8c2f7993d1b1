"""The module is off until a collectivité switches it on: every page answers 404 until then. The
first switch gives it the default categories, which it then edits; changes are audited."""

import pytest
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.mutualaid import actions
from solidaire.mutualaid.models import Category, MutualAidSettings

from .helpers import open_network

pytestmark = pytest.mark.django_db

PAGES = ["mutualaid:network", "mutualaid:map", "mutualaid:markers", "mutualaid:new_post", "mutualaid:my_posts"]


def test_every_page_is_not_found_while_the_network_is_off(personas, client_for):
    dora = client_for(personas.a, personas.a.donor)
    for name in PAGES:
        assert dora.get(reverse(name)).status_code == 404, name
    actions.configure(collectivite=personas.a.tenant, actor=personas.a.admin, enabled=False)
    assert dora.get(reverse("mutualaid:network")).status_code == 404


def test_switched_on_the_network_answers_and_has_the_demo_s_categories(personas, client_for):
    open_network(personas.a.tenant, personas.a.admin)
    assert client_for(personas.a).get(reverse("mutualaid:network")).status_code == 200
    categories = Category.objects.filter(collectivite=personas.a.tenant)
    assert [c.slug for c in categories] == [
        "courses",
        "medicaments",
        "garde-enfants",
        "appel-amical",
        "demarches",
        "bricolage",
        "transport",
        "autre",
    ]
    assert [c.slug for c in categories if c.sensitive] == ["garde-enfants"]
    assert categories.get(slug="courses").label_de == "Einkäufe"


def test_switching_again_keeps_the_collectivite_s_own_categories(personas):
    a = personas.a.tenant
    open_network(a)
    Category.objects.filter(collectivite=a, slug="autre").update(label="Divers")
    Category.objects.filter(collectivite=a, slug="bricolage").delete()
    actions.configure(collectivite=a, actor=personas.a.admin, enabled=False)
    open_network(a)
    assert Category.objects.filter(collectivite=a).count() == 7
    assert Category.objects.get(collectivite=a, slug="autre").label == "Divers"


def test_settings_default_to_48_hours_and_changes_are_audited(personas):
    a = personas.a
    network = open_network(a.tenant, a.admin)
    assert network.follow_up_hours == 48
    actions.configure(collectivite=a.tenant, actor=a.admin, follow_up_hours=24)
    assert MutualAidSettings.objects.get(collectivite=a.tenant).follow_up_hours == 24
    event = AuditEvent.objects.filter(action="mutualaid.settings_changed").latest("pk")
    assert event.data == {"changes": {"follow_up_hours": {"from": 48, "to": 24}}}
    assert event.actor == a.admin


def test_the_network_of_one_collectivite_does_not_open_another_s(personas, client_for):
    open_network(personas.a.tenant)
    assert client_for(personas.b).get(reverse("mutualaid:network")).status_code == 404
