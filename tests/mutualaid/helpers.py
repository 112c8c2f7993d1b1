"""A switched-on network for a collectivité, and posts written through the write path."""

from django.utils import timezone

from solidaire.geo.models import Commune
from solidaire.mutualaid import actions
from solidaire.mutualaid.models import Category, Post, PreModeration

STRASBOURG = "67482"
SCHILTIGHEIM = "67447"
METZ = "57463"


def open_network(collectivite, actor=None, pre_moderation=PreModeration.SENSITIVE, **changes):
    return actions.configure(
        collectivite=collectivite, actor=actor, enabled=True, pre_moderation=pre_moderation, **changes
    )


def category(collectivite, slug="courses") -> Category:
    return Category.objects.get(collectivite=collectivite, slug=slug)


def write(collectivite, author, *, slug="courses", commune=STRASBOURG, **fields) -> Post:
    values = {
        "kind": "request",
        "title": "Des courses pour ma voisine",
        "text": "Elle ne peut pas sortir cette semaine.",
        "urgency": "week",
        **fields,
    }
    post = Post(
        collectivite=collectivite,
        category=category(collectivite, slug),
        commune=Commune.objects.get(pk=commune),
        **values,
    )
    return actions.create_post(post=post, author=author)


def approved(post: Post, moderator) -> Post:
    return actions.decide_post(post=post, moderator=moderator, approve=True)


def today():
    return timezone.localdate()


def form_data(collectivite, **changes) -> dict:
    """The one form to post, filled in as a resident of Strasbourg would."""
    return {
        "kind": "request",
        "category": category(collectivite).pk,
        "title": "Courses pour ma voisine",
        "text": "Elle ne peut pas sortir cette semaine.",
        "urgency": "today",
        "availability": "Le soir",
        "commune_text": "Strasbourg",
        "postal_code": "67000",
        "ends_on": "",
        **changes,
    }
