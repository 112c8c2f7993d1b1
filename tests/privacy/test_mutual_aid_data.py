"""A person's part of the mutual-aid network in their copy of their data and in the erasure of
their account (mutualaid.personal_data): their posts go with their conversations, their messages
to others stay for those others without anything that names or reaches them."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from solidaire.geo.models import Commune
from solidaire.mutualaid import actions as mutual_aid_actions
from solidaire.mutualaid import announcements, conversations, notes, safety
from solidaire.mutualaid.models import (
    Alert,
    AnnouncementPreference,
    Block,
    Conversation,
    Message,
    Post,
    PreModeration,
    PrivateNote,
    Report,
    Volunteer,
)
from solidaire.privacy import actions, identity
from solidaire.privacy.export import archive

from ..accounts.helpers import translated
from ..mutualaid.helpers import STRASBOURG, open_network, write
from .helpers import traces

pytestmark = pytest.mark.django_db

FIRST, LAST = "Dorothée", "Quesnel-Vasseur"
PHONE = "06 71 82 93 04"
OWN_TITLE = "Courses rue des Quesnel-Vasseur"


@pytest.fixture
def network(personas, settings):
    settings.SOLIDAIRE_RELAY_DOMAIN = "relais.solidaire.example"
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    dora, other = a.donor, a.owner
    dora.first_name, dora.last_name, dora.phone, dora.commune_id = FIRST, LAST, PHONE, STRASBOURG
    dora.save()
    mine = write(a.tenant, dora, title=OWN_TITLE)
    answered = conversations.start(post=mine, person=other, text="Je peux passer samedi.")
    theirs = write(a.tenant, other, title="Je propose un transport", kind="offer", slug="transport")
    talk = conversations.start(post=theirs, person=dora, text=f"Appelez-moi au {PHONE}, {FIRST} {LAST}.")
    conversations.write(conversation=talk, author=other, text="D’accord, à demain.")
    conversations.share_contacts(conversation=talk, user=dora, phone=PHONE)
    theirs = mutual_aid_actions.finish_post(post=theirs, actor=other)
    notes.save(post=theirs, user=dora, text=f"Très bien, {FIRST} {LAST}")
    strasbourg = Commune.objects.get(pk=STRASBOURG)
    Alert.objects.create(collectivite=a.tenant, user=dora, commune=strasbourg, distance_km=5)
    announcements.set_preference(collectivite=a.tenant, user=dora, choice="all")
    safety.block(collectivite=a.tenant, blocker=dora, blocked=a.viewer)
    mutual_aid_actions.vet_volunteer(collectivite=a.tenant, user=dora, actor=a.moderator)
    safety.report(collectivite=a.tenant, reporter=dora, reason="other", text=f"Signé {FIRST} {LAST}", person=a.viewer)
    safety.report(collectivite=a.tenant, reporter=other, reason="scam", text="Demande de l’argent.", post=mine)
    return {"dora": dora, "other": other, "mine": mine, "answered": answered, "talk": talk}


def test_the_copy_holds_the_persons_posts_messages_and_preferences_not_the_other_side(network):
    dora = network["dora"]
    zipped = zipfile.ZipFile(io.BytesIO(archive(identity.Person(email=dora.email, user=dora))))
    document = json.loads(zipped.read("personal-data.json"))
    assert [p["title"] for p in document["mutual_aid_posts"]] == [OWN_TITLE]
    assert (document["account"][0]["phone"], document["account"][0]["commune"]) == (PHONE, "Strasbourg")
    assert [m["text"] for m in document["mutual_aid_messages"]] == [f"Appelez-moi au {PHONE}, {FIRST} {LAST}."]
    roles = {c["post"]: c["role"] for c in document["mutual_aid_conversations"]}
    assert roles == {OWN_TITLE: "author", "Je propose un transport": "answered"}
    assert {p["what"] for p in document["mutual_aid_preferences"]} == {"announcements", "alert"}
    assert [r["text"] for r in document["mutual_aid_reports"]] == [f"Signé {FIRST} {LAST}"]
    assert [n["text"] for n in document["mutual_aid_notes"]] == [f"Très bien, {FIRST} {LAST}"]
    everything = "".join(zipped.read(name).decode("utf-8") for name in zipped.namelist())
    assert "D’accord, à demain." not in everything  # the other person's words are theirs
    assert "Je peux passer samedi." not in everything
    assert "mutual_aid_posts.csv" in zipped.namelist()


def test_erasure_deletes_the_posts_and_pseudonymises_the_messages(network, personas):
    dora, other, talk = network["dora"], network["other"], network["talk"]
    email = dora.email
    assert traces(email, LAST, PHONE, OWN_TITLE)
    done = actions.erase(identity.Person(email=email, user=dora))
    assert done["mutual_aid_posts"] == 1 and done["mutual_aid_messages"] == 1
    assert traces(email, LAST, FIRST, PHONE, OWN_TITLE) == []
    assert not Post.objects.filter(pk=network["mine"].pk).exists()
    assert not Conversation.objects.filter(pk=network["answered"].pk).exists()
    # The other person keeps their conversation: their words as written, hers without a name.
    kept = list(Message.objects.filter(conversation=talk).order_by("pk"))
    assert [m.author_id for m in kept] == [None, other.pk]
    assert kept[0].text == "Appelez-moi au [erased], [erased]."
    assert kept[1].text == "D’accord, à demain."
    talk.refresh_from_db()
    assert talk.person_phone == ""
    dora.refresh_from_db()
    assert (dora.phone, dora.commune_id) == ("", None)
    for model, field in ((Alert, "user"), (AnnouncementPreference, "user"), (Block, "blocker"), (Volunteer, "user")):
        assert not model.objects.filter(**{field: dora}).exists(), model
    assert Report.objects.get(reporter=dora).text == "Signé [erased]"
    # The report about her post outlives it: the moderators' record stays.
    about_her_post = Report.objects.get(reporter=other)
    assert (about_her_post.post_id, about_her_post.target, about_her_post.person_id) == (None, "post", dora.pk)
    (note,) = PrivateNote.objects.all()
    assert (note.author_id, note.text) == (None, "Très bien, [erased]")


def test_the_erasure_page_says_what_happens_to_the_mutual_aid_posts(network, client_for, personas):
    client = client_for(personas.a, network["dora"])
    page = client.get(reverse("privacy:erase")).content.decode()
    assert (
        translated("The messages you wrote to others stay for them, without your name, e-mail address or phone number.")
        in page
    )
    assert client.post(reverse("privacy:erase"), {"confirm": "on"}).status_code == 302
    assert not Post.objects.filter(author=network["dora"]).exists()


def test_a_person_without_mutual_aid_data_is_not_told_about_it(personas, client_for):
    page = client_for(personas.a, personas.a.donor).get(reverse("privacy:erase")).content.decode()
    assert (
        translated("The messages you wrote to others stay for them, without your name, e-mail address or phone number.")
        not in page
    )
