"""The demo's networks: Strasbourg's and the Région's switched on, a dozen posts each side, the
childcare request seen by the vetted volunteer and not by the public; seeding twice adds nothing."""

import pytest
from django.urls import reverse

from solidaire.demo.mutualaid import RESIDENT_EMAIL, VOLUNTEER_EMAIL, seed_mutual_aid
from solidaire.mutualaid.models import Moderation, Post, Volunteer

from ..factories import CollectiviteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strasbourg():
    city = CollectiviteFactory(slug="strasbourg", kind="commune", insee_code="67482", departements=[])
    city.communes.set(["67482"])
    return city


def seed(strasbourg, personas):
    return seed_mutual_aid(
        strasbourg,
        personas.a.tenant,
        strasbourg_admin=UserFactory(),
        grand_est_moderator=personas.a.moderator,
        password="demo",  # noqa: S106
    )


def test_the_demo_opens_both_networks_with_their_posts(strasbourg, personas, client_for):
    people = seed(strasbourg, personas)
    assert [email for _c, _role, email in people] == [RESIDENT_EMAIL, VOLUNTEER_EMAIL]
    city_posts = Post.objects.filter(collectivite=strasbourg)
    assert city_posts.count() == 12 and Post.objects.filter(collectivite=personas.a.tenant).count() == 6
    assert not Post.objects.exclude(moderation=Moderation.APPROVED).exists()
    assert city_posts.filter(author__email=RESIDENT_EMAIL).count() == 1
    assert Volunteer.objects.filter(collectivite=strasbourg, user__email=VOLUNTEER_EMAIL).exists()
    side = type("Side", (), {"host": "strasbourg.localhost"})
    public = client_for(side).get(reverse("mutualaid:network")).content.decode()
    assert "Courses pour la semaine" in public and "Garde de deux enfants" not in public
    volunteer = Volunteer.objects.get(collectivite=strasbourg).user
    assert "Garde de deux enfants" in client_for(side, volunteer).get(reverse("mutualaid:network")).content.decode()


def test_seeding_again_adds_nothing(strasbourg, personas):
    seed(strasbourg, personas)
    seed(strasbourg, personas)
    assert Post.objects.count() == 18
    assert Volunteer.objects.count() == 1
