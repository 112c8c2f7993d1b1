"""The demo's networks: Strasbourg's and the Région's switched on, a dozen or two posts each side,
the childcare request seen by the vetted volunteer and not by the public; the volunteer talking
with the demo resident, a report waiting for the moderator; seeding twice adds nothing."""

import pytest
from django.urls import reverse

from solidaire.demo.mutualaid import RESIDENT_EMAIL, VOLUNTEER_EMAIL, seed_mutual_aid, seed_mutual_aid_talk
from solidaire.mutualaid import positions
from solidaire.mutualaid.models import Alert, Conversation, Message, Moderation, Neighbourhood, Post, Report, Volunteer

from ..factories import CollectiviteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strasbourg():
    city = CollectiviteFactory(slug="strasbourg", kind="commune", insee_code="67482", departements=[])
    city.communes.set(["67482"])
    return city


def seed(strasbourg, personas):
    people = seed_mutual_aid(
        strasbourg,
        personas.a.tenant,
        strasbourg_admin=UserFactory(),
        grand_est_moderator=personas.a.moderator,
        password="demo",  # noqa: S106
    )
    seed_mutual_aid_talk(strasbourg)
    return people


def test_the_demo_opens_both_networks_with_their_posts(strasbourg, personas, client_for):
    people = seed(strasbourg, personas)
    assert [email for _c, _role, email in people] == [RESIDENT_EMAIL, VOLUNTEER_EMAIL]
    city_posts = Post.objects.filter(collectivite=strasbourg)
    assert city_posts.count() == 20 and Post.objects.filter(collectivite=personas.a.tenant).count() == 12
    assert city_posts.values("category").distinct().count() == 8
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
    assert Post.objects.count() == 32
    assert Volunteer.objects.count() == 1
    assert (Conversation.objects.count(), Message.objects.count(), Report.objects.count()) == (2, 4, 1)
    # The volunteer's daily digest of groceries and medicines requests near Strasbourg, once.
    (alert,) = Alert.objects.all()
    assert (alert.user.email, alert.frequency, alert.kind) == (VOLUNTEER_EMAIL, "daily", "request")
    assert sorted(alert.categories.values_list("slug", flat=True)) == ["courses", "medicaments"]


def test_a_demo_seeded_before_gets_the_new_posts_only(strasbourg, personas):
    seed(strasbourg, personas)
    Post.objects.filter(title="Masques et gel à vendre").delete()  # as if seeded before it was added
    seed(strasbourg, personas)
    assert Post.objects.filter(title="Masques et gel à vendre").count() == 1 and Post.objects.count() == 32


def test_the_volunteer_talks_with_the_resident_and_a_report_waits(strasbourg, personas, client_for):
    seed(strasbourg, personas)
    talk = Conversation.objects.get(post__author__email=RESIDENT_EMAIL)
    assert talk.person.email == VOLUNTEER_EMAIL and talk.messages.count() == 3
    assert [m.author.email for m in talk.messages.all()] == [VOLUNTEER_EMAIL, RESIDENT_EMAIL, VOLUNTEER_EMAIL]
    report = Report.objects.get()
    assert (report.collectivite, report.reporter.email, report.is_open) == (strasbourg, RESIDENT_EMAIL, True)
    side = type("Side", (), {"host": "strasbourg.localhost"})
    volunteer = Volunteer.objects.get(collectivite=strasbourg).user
    page = client_for(side, volunteer).get(reverse("mutualaid:conversation", args=[talk.pk]))
    assert page.status_code == 200 and "deux litres de lait" in page.content.decode()


def test_strasbourg_names_its_quarters_and_some_posts_give_one(strasbourg, personas):
    seed(strasbourg, personas)
    seed(strasbourg, personas)
    names = set(Neighbourhood.objects.filter(collectivite=strasbourg).values_list("name", flat=True))
    assert names == {"Krutenau", "Neudorf", "Robertsau", "Cronenbourg", "Hautepierre"}
    placed = Post.objects.filter(collectivite=strasbourg, neighbourhood__isnull=False).select_related("neighbourhood")
    assert placed.count() == 6
    for post in placed:
        centre = (post.neighbourhood.latitude, post.neighbourhood.longitude)
        assert 140 <= positions.distance_m(centre, (post.latitude, post.longitude)) <= 510
