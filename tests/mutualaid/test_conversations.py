"""Relayed contact (issue 12, item 4): "I can help" on a request, "I need this" on an offer opens a
conversation between the post's author and who answered — never with oneself, never on a post
that no longer takes answers, one per post and person. Only the two read it. Messages are e-mailed
to the other from the collectivité with a relay Reply-To; phone numbers and e-mail addresses in
them are masked until both agreed to share their contact details; messages are rate-limited and
either side can close the conversation. Starting, sharing and closing are audited."""

from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.core.typography import long_date
from solidaire.mutualaid import actions, conversations
from solidaire.mutualaid.models import Conversation, Message, PreModeration

from ..accounts.helpers import translated
from .helpers import approved, open_network, write

HIDDEN = translated("[contact details hidden]")  # what French readers see instead of a phone or address

pytestmark = pytest.mark.django_db

RELAY = "relais.solidaire.example"


@pytest.fixture(autouse=True)
def _relay(settings):
    settings.SOLIDAIRE_RELAY_DOMAIN = RELAY


@pytest.fixture
def request_post(personas):
    """Dora asks for groceries in Strasbourg, on Région Grand Est's network."""
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    return write(a.tenant, a.donor, title="Courses pour ma voisine")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    def send(do):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = do()
        return result, mail.outbox[before:]

    return send


def start(post, person, text="Bonjour, je peux faire vos courses samedi."):
    return conversations.start(post=post, person=person, text=text)


def page(client, conversation) -> str:
    response = client.get(reverse("mutualaid:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


# Starting ----------------------------------------------------------------------------------------


def test_i_can_help_opens_a_conversation_and_tells_the_author_by_email(request_post, personas, client_for, sent):
    otto = client_for(personas.a, personas.outsider)
    post_page = otto.get(reverse("mutualaid:post", args=[request_post.pk])).content.decode()
    start_url = reverse("mutualaid:conversation_start", args=[request_post.pk])
    assert start_url in post_page
    assert otto.get(start_url).status_code == 200

    response, (email,) = sent(lambda: otto.post(start_url, {"text": "Je peux passer samedi matin."}))
    conversation = Conversation.objects.get(post=request_post, person=personas.outsider)
    assert response.status_code == 302
    assert response["Location"] == reverse("mutualaid:conversation", args=[conversation.pk])
    assert list(conversation.messages.values_list("text", "author")) == [
        ("Je peux passer samedi matin.", personas.outsider.pk)
    ]
    event = AuditEvent.objects.get(action="mutualaid.conversation_started")
    assert (event.collectivite, event.actor, event.object_id) == (
        personas.a.tenant,
        personas.outsider,
        str(conversation.pk),
    )

    # The e-mail: to the author, from the collectivité, answers through the relay, never a mailbox.
    assert email.to == [personas.a.donor.email]
    assert parseaddr(email.from_email)[0] == "Région Grand Est"
    (reply_to,) = email.reply_to
    assert reply_to.startswith("entraide+") and reply_to.endswith(f"@{RELAY}")
    assert personas.outsider.email not in email.body + email.subject + reply_to
    assert "Je peux passer samedi matin." in email.body
    assert f"http://grand-est.localhost/entraide/conversations/{conversation.pk}/" in email.body
    assert "Otto" in email.body


def test_i_need_this_answers_an_offer(personas, request_post, sent):
    a = personas.a
    offer = write(a.tenant, a.owner, kind="offer", title="Je propose des trajets")
    conversation, (email,) = sent(lambda: start(offer, a.donor, "Il me faudrait un trajet mardi."))
    assert conversation.post == offer and email.to == [a.owner.email]
    assert "Je propose des trajets" in email.subject


def test_nobody_answers_their_own_post(request_post, personas, client_for):
    with pytest.raises(ActionError) as refused:
        start(request_post, personas.a.donor)
    assert refused.value.code == "own"
    dora = client_for(personas.a, personas.a.donor)
    assert (
        reverse("mutualaid:conversation_start", args=[request_post.pk])
        not in dora.get(reverse("mutualaid:post", args=[request_post.pk])).content.decode()
    )
    response = dora.post(reverse("mutualaid:conversation_start", args=[request_post.pk]), {"text": "Moi-même"})
    assert response.status_code == 400
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("move", ["finish_post", "close_post"])
def test_a_done_or_closed_post_takes_no_answer(request_post, personas, client_for, move):
    getattr(actions, move)(post=request_post, actor=personas.a.donor)
    with pytest.raises(ActionError) as refused:
        start(request_post, personas.outsider)
    assert refused.value.code == "state"
    otto = client_for(personas.a, personas.outsider)
    url = reverse("mutualaid:conversation_start", args=[request_post.pk])
    assert otto.post(url, {"text": "Bonjour"}).status_code == 404  # no longer shown to others
    assert not Conversation.objects.exists()


def test_a_post_in_progress_still_takes_answers(request_post, personas):
    actions.start_post(post=request_post, actor=personas.a.donor)
    assert start(request_post, personas.outsider).post == request_post


def test_a_post_waiting_for_a_moderator_takes_no_answer_even_from_a_moderator(personas):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.EVERYTHING)
    pending = write(a.tenant, a.donor)
    with pytest.raises(ActionError):
        start(pending, a.moderator)


def test_a_sensitive_request_is_answered_only_by_who_may_read_it(personas, client_for):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    childcare = approved(write(a.tenant, a.donor, slug="garde-enfants", title="Garde mercredi"), a.moderator)
    url = reverse("mutualaid:conversation_start", args=[childcare.pk])
    assert client_for(a, personas.outsider).post(url, {"text": "Je garde"}).status_code == 404
    actions.vet_volunteer(collectivite=a.tenant, user=personas.outsider, actor=a.moderator)
    assert client_for(a, personas.outsider).post(url, {"text": "Je garde"}).status_code == 302


def test_one_conversation_per_post_and_person(request_post, personas, client_for):
    first = start(request_post, personas.outsider)
    again = start(request_post, personas.outsider, "Et aussi dimanche.")
    assert again == first and first.messages.count() == 2
    assert AuditEvent.objects.filter(action="mutualaid.conversation_started").count() == 1
    otto = client_for(personas.a, personas.outsider)
    response = otto.get(reverse("mutualaid:conversation_start", args=[request_post.pk]))
    assert response["Location"] == reverse("mutualaid:conversation", args=[first.pk])
    other = start(request_post, personas.a.owner)
    assert other != first


def test_anonymous_visitors_are_asked_to_sign_in_first(request_post, personas, client_for):
    url = reverse("mutualaid:conversation_start", args=[request_post.pk])
    assert url in client_for(personas.a).get(reverse("mutualaid:post", args=[request_post.pk])).content.decode()
    response = client_for(personas.a).get(url)
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


# Reading and writing -----------------------------------------------------------------------------


def test_only_the_two_participants_read_a_conversation(request_post, personas, client_for):
    conversation = start(request_post, personas.outsider)
    url = reverse("mutualaid:conversation", args=[conversation.pk])
    for user in (personas.a.donor, personas.outsider):
        assert client_for(personas.a, user).get(url).status_code == 200
    for user in (personas.a.moderator, personas.a.admin, personas.a.owner, personas.b.donor):
        assert client_for(personas.a, user).get(url).status_code == 404
        assert client_for(personas.a, user).post(url, {"text": "Intrus"}).status_code == 404
    assert client_for(personas.b, personas.outsider).get(url).status_code == 404  # B's host
    assert client_for(personas.a).get(url).status_code == 302  # sign in first
    assert conversation.messages.count() == 1


def test_each_lists_their_conversations(request_post, personas, client_for):
    start(request_post, personas.outsider)
    for user in (personas.a.donor, personas.outsider):
        listing = client_for(personas.a, user).get(reverse("mutualaid:conversations")).content.decode()
        assert "Courses pour ma voisine" in listing
    assert (
        "Courses pour ma voisine"
        not in client_for(personas.a, personas.a.owner).get(reverse("mutualaid:conversations")).content.decode()
    )


def test_messages_are_written_on_the_page_and_emailed_to_the_other(request_post, personas, client_for, sent):
    conversation = start(request_post, personas.outsider)
    dora = client_for(personas.a, personas.a.donor)
    url = reverse("mutualaid:conversation", args=[conversation.pk])
    response, (email,) = sent(lambda: dora.post(url, {"text": "Merci ! Samedi 10 h ?"}))
    assert response.status_code == 302
    assert email.to == [personas.outsider.email]
    assert "Merci ! Samedi 10 h ?" in email.body
    assert "Merci ! Samedi 10 h ?" in page(client_for(personas.a, personas.outsider), conversation)
    assert dora.post(url, {"text": "   "}).status_code == 400


# Contact details ----------------------------------------------------------------------------------


def test_contact_details_are_masked_until_both_agree(request_post, personas, client_for, sent):
    a = personas.a
    conversation = start(request_post, personas.outsider, "Appelez-moi au 06 12 34 56 78 ou otto@example.org")
    _result, (email,) = sent(
        lambda: conversations.write(conversation=conversation, author=a.donor, text="Moi : +33 7 11 22 33 44")
    )
    dora, otto = client_for(a, a.donor), client_for(a, personas.outsider)
    assert "+33 7 11 22 33 44" not in email.body and HIDDEN in email.body
    for client in (dora, otto):
        html = page(client, conversation)
        assert "06 12 34 56 78" not in html and "otto@example.org" not in html
        assert "+33 7 11 22 33 44" not in html and "dora@example.org" not in html
        assert HIDDEN in html

    share = reverse("mutualaid:conversation_share", args=[conversation.pk])
    assert otto.post(share, {"phone": "pas un numéro"}).status_code == 400
    assert otto.post(share, {"phone": "06 98 76 54 32"}).status_code == 302
    html = page(dora, conversation)
    assert "06 98 76 54 32" not in html and "otto@example.org" not in html  # one side only
    assert translated("%(name)s agreed to share their contact details.", name=personas.outsider.first_name) in html

    assert dora.post(share, {"phone": ""}).status_code == 302
    html = page(dora, conversation)
    assert "otto@example.org" in html and "06 98 76 54 32" in html and "06 12 34 56 78" in html
    html = page(otto, conversation)
    assert "dora@example.org" in html and "+33 7 11 22 33 44" in html
    assert HIDDEN not in html
    assert AuditEvent.objects.filter(action="mutualaid.contacts_shared").count() == 2


# Limits and closing -------------------------------------------------------------------------------


def test_messages_are_rate_limited_per_person(request_post, personas, client_for, monkeypatch, settings):
    monkeypatch.setitem(settings.SOLIDAIRE_MUTUAL_AID_RATES, "message", "3/h")
    conversation = start(request_post, personas.outsider)  # 1
    otto = client_for(personas.a, personas.outsider)
    url = reverse("mutualaid:conversation", args=[conversation.pk])
    assert otto.post(url, {"text": "2"}).status_code == 302
    assert otto.post(url, {"text": "3"}).status_code == 302
    response = otto.post(url, {"text": "4"})
    assert response.status_code == 429
    assert translated("You have written many messages: wait an hour before the next one.") in response.content.decode()
    assert conversation.messages.count() == 3
    # the other side has their own budget
    assert client_for(personas.a, personas.a.donor).post(url, {"text": "Merci"}).status_code == 302


def test_starting_conversations_is_rate_limited(personas, request_post, monkeypatch, settings):
    monkeypatch.setitem(settings.SOLIDAIRE_MUTUAL_AID_RATES, "start", "2/h")
    a = personas.a
    posts = [write(a.tenant, a.donor, title=f"Courses {i}") for i in range(3)]
    start(posts[0], personas.outsider)
    start(posts[1], personas.outsider)
    with pytest.raises(ActionError) as refused:
        start(posts[2], personas.outsider)
    assert refused.value.code == "rate_limited"
    assert Conversation.objects.count() == 2


@pytest.mark.parametrize("closer", ["author", "person"])
def test_either_side_closes_the_conversation(request_post, personas, client_for, closer):
    conversation = start(request_post, personas.outsider)
    user = personas.a.donor if closer == "author" else personas.outsider
    client = client_for(personas.a, user)
    assert client.post(reverse("mutualaid:conversation_close", args=[conversation.pk])).status_code == 302
    conversation.refresh_from_db()
    assert conversation.is_closed and conversation.closed_by == user
    event = AuditEvent.objects.get(action="mutualaid.conversation_closed")
    assert event.actor == user and event.object_id == str(conversation.pk)
    html = page(client, conversation)
    closed_on = translated(
        "This conversation was closed on %(date)s: no more messages can be written.",
        date=long_date(conversation.closed_at, "fr"),
    )
    assert closed_on in html
    for writer in (personas.a.donor, personas.outsider):
        response = client_for(personas.a, writer).post(
            reverse("mutualaid:conversation", args=[conversation.pk]), {"text": "Encore ?"}
        )
        assert response.status_code == 400
        with pytest.raises(ActionError):
            start(request_post, personas.outsider)
    assert conversation.messages.count() == 1
    assert Message.objects.count() == 1


def test_the_pages_work_in_english_and_german(request_post, personas, client_for):
    conversation = start(request_post, personas.outsider)
    dora = client_for(personas.a, personas.a.donor)
    for prefix in ("/en", "/de"):
        assert dora.get(f"{prefix}/entraide/conversations/{conversation.pk}/").status_code == 200


def test_the_other_person_reads_only_a_first_name_and_commune(request_post, personas, client_for):
    a = personas.a
    dora = a.donor
    dora.first_name, dora.last_name, dora.commune_id, dora.phone = "Dora", "Quesnel-Unique", "67447", "06 98 76 54 32"
    dora.save()
    conversation = start(request_post, a.owner)
    for path in (reverse("mutualaid:post", args=[request_post.pk]), reverse("mutualaid:conversations")):
        body = client_for(a, a.owner).get(path).content.decode()
        assert "Dora (Schiltigheim)" in body
        assert "Quesnel-Unique" not in body and "06 98 76 54 32" not in body and dora.email not in body
    body = page(client_for(a, a.owner), conversation)
    assert "Dora (Schiltigheim)" in body and "Quesnel-Unique" not in body and "06 98 76 54 32" not in body
    # Her own page offers her account's number when she shares her contact details.
    assert 'value="06 98 76 54 32"' in page(client_for(a, dora), conversation)
