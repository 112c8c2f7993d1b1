"""Posting a request or an offer: one form, signed-in residents only; checked against the
collectivité's categories and territory; held for a moderator as the pre-moderation setting says;
a form sent wrong says what to correct and writes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune
from solidaire.mutualaid import actions
from solidaire.mutualaid.models import Moderation, Post, PreModeration

from ..accounts.helpers import translated
from .helpers import METZ, STRASBOURG, approved, category, form_data, open_network, today, write

pytestmark = pytest.mark.django_db


def test_a_resident_posts_a_request_in_one_form(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    dora = client_for(a, a.donor)
    assert dora.get(reverse("mutualaid:new_post")).status_code == 200
    response = dora.post(reverse("mutualaid:new_post"), form_data(a.tenant, on_behalf="on"))
    assert response.status_code == 302 and response["Location"] == reverse("mutualaid:my_posts")
    post = Post.objects.get()
    assert (post.author, post.commune_id, post.postal_code, post.state) == (a.donor, STRASBOURG, "67000", "open")
    assert post.on_behalf and post.urgency == "today"
    assert AuditEvent.objects.filter(action="mutualaid.post_created", object_id=str(post.pk)).exists()


def test_anonymous_visitors_are_asked_to_sign_in(personas, client_for):
    open_network(personas.a.tenant)
    response = client_for(personas.a).post(reverse("mutualaid:new_post"), form_data(personas.a.tenant))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"text": ""}, "text"),
        ({"kind": "gift"}, "kind"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"commune_text": "Metz"}, "commune_text"),  # outside the Région's territory
        ({"commune_text": "Nowhere-sur-Mer"}, "commune_text"),
        ({"postal_code": "57000"}, "postal_code"),
        ({"ends_on": "2001-01-01"}, "ends_on"),
        ({"category": "999999"}, "category"),
    ],
)
def test_a_wrong_form_says_what_to_correct_and_writes_nothing(changes, field, personas, client_for):
    a = personas.a
    open_network(a.tenant)
    response = client_for(a, a.donor).post(reverse("mutualaid:new_post"), form_data(a.tenant, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'class="error-summary"' in response.content.decode()
    assert not Post.objects.exists()
    assert not AuditEvent.objects.filter(action="mutualaid.post_created").exists()


def test_a_category_of_another_collectivite_is_refused(personas, client_for):
    a, b = personas.a, personas.b
    open_network(a.tenant)
    open_network(b.tenant)
    data = form_data(a.tenant, category=category(b.tenant).pk)
    response = client_for(a, a.donor).post(reverse("mutualaid:new_post"), data)
    assert response.status_code == 400 and "category" in response.context["form"].errors
    assert not Post.objects.exists()


def test_the_write_path_refuses_what_a_form_would_not_send(personas):
    a, b = personas.a, personas.b
    open_network(a.tenant)
    open_network(b.tenant)
    foreign = Post(
        collectivite=a.tenant,
        category=category(b.tenant),
        commune_id=STRASBOURG,
        kind="offer",
        title="x",
        text="y",
    )
    with pytest.raises(ActionError) as refused:
        actions.create_post(post=foreign, author=a.donor)
    assert refused.value.field == "category"
    outside = Post(
        collectivite=a.tenant, category=category(a.tenant), commune=Commune.objects.get(pk=METZ), kind="offer"
    )
    with pytest.raises(ActionError) as refused:
        actions.create_post(post=outside, author=a.donor)
    assert refused.value.field == "commune"
    with pytest.raises(ActionError):
        write(a.tenant, a.donor, ends_on=today() - timedelta(days=1))
    assert not Post.objects.exists()


def test_nobody_posts_where_the_network_is_off(personas):
    open_network(personas.a.tenant)
    actions.configure(collectivite=personas.a.tenant, actor=None, enabled=False)
    with pytest.raises(ActionError):
        write(personas.a.tenant, personas.a.donor)
    assert not Post.objects.exists()


def test_pre_moderation_of_everything_holds_every_post(personas):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.EVERYTHING)
    first = approved(write(a.tenant, a.donor), a.moderator)
    assert first.moderation == Moderation.APPROVED
    assert write(a.tenant, a.donor).moderation == Moderation.PENDING


def test_pre_moderation_of_first_posts_trusts_a_person_once_approved(personas):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.FIRST_POSTS)
    first = write(a.tenant, a.donor)
    assert first.moderation == Moderation.PENDING
    assert write(a.tenant, a.donor).moderation == Moderation.PENDING  # still nothing approved
    approved(first, a.moderator)
    assert write(a.tenant, a.donor).moderation == Moderation.APPROVED
    assert write(a.tenant, a.owner).moderation == Moderation.PENDING  # someone else's first


def test_pre_moderation_of_sensitive_categories_holds_only_those(personas):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    assert write(a.tenant, a.donor).moderation == Moderation.APPROVED
    assert write(a.tenant, a.donor, slug="garde-enfants").moderation == Moderation.PENDING


def test_a_post_is_reviewed_once(personas):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.EVERYTHING)
    post = approved(write(a.tenant, a.donor), a.moderator)
    with pytest.raises(ActionError):
        actions.decide_post(post=post, moderator=a.admin, approve=False)
    assert Post.objects.get(pk=post.pk).moderation == Moderation.APPROVED


def test_posting_is_rate_limited_per_person(personas, client_for, settings, monkeypatch):
    monkeypatch.setitem(settings.SOLIDAIRE_MUTUAL_AID_RATES, "post", "2/d")
    open_network(personas.a.tenant, pre_moderation=PreModeration.SENSITIVE)
    client = client_for(personas.a, personas.a.donor)
    new_post = reverse("mutualaid:new_post")
    for _ in range(2):
        assert client.post(new_post, form_data(personas.a.tenant)).status_code == 302
    refused = client.post(new_post, form_data(personas.a.tenant))
    assert refused.status_code == 429
    assert translated("You have posted many times today: wait until tomorrow.") in refused.content.decode()
    assert Post.objects.filter(author=personas.a.donor).count() == 2
    # Someone else still posts.
    assert client_for(personas.a, personas.a.owner).post(new_post, form_data(personas.a.tenant)).status_code == 302
