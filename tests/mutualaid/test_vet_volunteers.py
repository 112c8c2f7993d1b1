"""A moderator vets a volunteer (checks done outside the platform) by the e-mail of their
account: from then on they see requests in sensitive categories, until removed. Audited; B's
volunteers are out of reach on A's host."""

import pytest
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.mutualaid import actions
from solidaire.mutualaid.models import Volunteer

from .helpers import approved, open_network, write

pytestmark = pytest.mark.django_db

PAGE = reverse("mutualaid:volunteers")


@pytest.fixture
def childcare(personas):
    a = personas.a
    open_network(a.tenant)
    return approved(write(a.tenant, a.donor, slug="garde-enfants", title="Garde mercredi"), a.moderator)


def sees(client, post) -> bool:
    return client.get(reverse("mutualaid:post", args=[post.pk])).status_code == 200


def test_a_vetted_volunteer_sees_sensitive_requests_until_removed(childcare, personas, client_for):
    a, otto = personas.a, personas.outsider
    mona = client_for(a, a.moderator)
    assert not sees(client_for(a, otto), childcare)
    assert mona.post(PAGE, {"email": otto.email.upper()}).status_code == 302
    assert sees(client_for(a, otto), childcare)
    assert otto.email in mona.get(PAGE).content.decode()
    volunteer = Volunteer.objects.get(user=otto)
    mona.post(PAGE, {"remove": volunteer.pk})
    assert not sees(client_for(a, otto), childcare)
    actions_recorded = AuditEvent.objects.filter(action__startswith="mutualaid.volunteer").order_by("pk")
    assert list(actions_recorded.values_list("action", flat=True)) == [
        "mutualaid.volunteer_vetted",
        "mutualaid.volunteer_removed",
    ]


def test_an_unknown_address_is_refused_and_nothing_is_written(childcare, personas, client_for):
    response = client_for(personas.a, personas.a.moderator).post(PAGE, {"email": "nobody@example.org"})
    assert response.status_code == 400 and 'class="error-summary"' in response.content.decode()
    assert not Volunteer.objects.exists()


def test_b_s_volunteers_cannot_be_removed_from_a_s_host(personas, client_for):
    b = personas.b
    open_network(b.tenant)
    theirs = actions.vet_volunteer(collectivite=b.tenant, user=b.donor, actor=b.moderator)
    mona = client_for(personas.a, personas.a.moderator)
    assert mona.post(PAGE, {"remove": theirs.pk}).status_code == 404
    assert mona.post(PAGE, {"remove": "abc"}).status_code == 404
    assert b.donor.email not in mona.get(PAGE).content.decode()
    assert Volunteer.objects.filter(pk=theirs.pk).exists()
