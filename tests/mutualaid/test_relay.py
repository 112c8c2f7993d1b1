"""The e-mail relay (ADR 0024): answering the e-mail of a message posts the answer in the
conversation, as its participant, through `solidaire relay-inbound` fed the raw e-mail. The
address is signed (django.core.signing), survives a mail server changing its case, and works only
for that participant's mailbox; the quoted e-mail is cut off; automatic answers are dropped; a
closed conversation takes no more. The e-mails below are written as mail programs send them."""

import base64
import io
import sys

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from solidaire.mutualaid import conversations, relay
from solidaire.mutualaid.models import Message, PreModeration

from ..accounts.helpers import translated
from .helpers import open_network, write

pytestmark = pytest.mark.django_db

RELAY = "relais.solidaire.example"


@pytest.fixture(autouse=True)
def _relay(settings):
    settings.SOLIDAIRE_RELAY_DOMAIN = RELAY


@pytest.fixture
def conversation(personas, django_capture_on_commit_callbacks):
    """Otto offered to help Dora; Dora received the e-mail of his message."""
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    post = write(a.tenant, a.donor, title="Courses pour ma voisine")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversations.start(post=post, person=personas.outsider, text="Je peux passer samedi.")
    return conversation


def reply_address(conversation, user) -> str:
    return relay.address_for(conversation, user)


def gmail_reply(to: str, sender: str, text_qp: str) -> bytes:
    """Gmail's answer in French: multipart/alternative, quoted-printable, the original quoted."""
    return f"""Return-Path: <{sender}>
Delivered-To: {to}
MIME-Version: 1.0
Date: Tue, 2 Dec 2026 10:14:03 +0100
References: <176468.1@grandest.fr>
In-Reply-To: <176468.1@grandest.fr>
Message-ID: <CAJx=abc123@mail.gmail.com>
Subject: Re: =?UTF-8?Q?Quelqu=E2=80=99un_peut_aider_=3A_=E2=80=9CCourses_pour_ma_voisine=E2=80=9D?=
From: Dora Martin <{sender}>
To: =?UTF-8?Q?R=C3=A9gion_Grand_Est?= <{to}>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{text_qp}

Le mar. 2 d=C3=A9c. 2026 =C3=A0 10:12, R=C3=A9gion Grand Est <solidaire@gra=
ndest.fr> a =C3=A9crit :

> Bonjour,
>
> Otto vous a =C3=A9crit :
>
> Je peux passer samedi.
>
> #-- R=C3=A9pondez au-dessus de cette ligne --#

--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">{text_qp}</div><br><div class=3D"gmail_quote"><blockquote>Bon=
jour</blockquote></div>

--000000000000a1b2c3--
""".encode()


def outlook_html_reply(to: str, sender: str, html: str) -> bytes:
    """Outlook's answer: HTML only, base64, its own "De :" block before the quoted e-mail."""
    body = base64.encodebytes(html.encode("utf-8")).decode()
    return f"""Received: from EUR01-VE1-obe.outbound.protection.outlook.com (mail.example [40.107.1.1])
X-Original-To: {to}
From: "Martin, Dora" <{sender.upper()}>
To: "=?iso-8859-1?Q?R=E9gion_Grand_Est?=" <{to}>
Subject: RE: Nouveau message
Date: Tue, 2 Dec 2026 09:20:00 +0000
Message-ID: <AM0PR01MB1234@AM0PR01MB1234.eurprd01.prod.outlook.com>
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64
MIME-Version: 1.0

{body}""".encode()


def thunderbird_reply(to: str, sender: str, text: str, extra_headers: str = "") -> bytes:
    return f"""From: Otto Martin <{sender}>
To: {to}
Subject: Re: New message about "Courses pour ma voisine"
Date: Tue, 2 Dec 2026 11:00:00 +0100
Message-ID: <a1b2c3@example.org>
User-Agent: Mozilla Thunderbird
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit
{extra_headers}
{text}

On 02/12/2026 10:12, Région Grand Est wrote:
> Hello,
> Dora wrote to you about “Courses pour ma voisine”:
""".encode()


def run_command(raw: bytes, monkeypatch) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("relay-inbound", stdout=out)
    return out.getvalue()


def test_the_relay_address_is_signed_and_names_the_reader(conversation, personas):
    a = personas.a
    address = reply_address(conversation, a.donor)
    local, _at, domain = address.partition("@")
    assert domain == RELAY and local.startswith("entraide+") and local == local.lower()
    assert str(a.donor.email) not in address
    assert relay.read_address(address) == (conversation.pk, a.donor.pk)
    assert relay.read_address(address.upper()) == (conversation.pk, a.donor.pk)  # a server changed its case
    assert reply_address(conversation, personas.outsider) != address
    forged = address.replace(f"+{conversation.pk}-{a.donor.pk}.", f"+{conversation.pk}-{personas.outsider.pk}.")
    assert relay.read_address(forged) is None
    assert relay.read_address(address.replace(RELAY, "ailleurs.example")) is None
    assert relay.read_address("entraide+1-2.aaaa@" + RELAY) is None


def test_the_address_survives_a_key_rotation(conversation, personas, settings):
    address = reply_address(conversation, personas.a.donor)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "une-nouvelle-cle-" * 4
    assert relay.read_address(address) == (conversation.pk, personas.a.donor.pk)
    settings.SECRET_KEY_FALLBACKS = []
    assert relay.read_address(address) is None


def test_without_a_relay_domain_the_email_says_to_answer_on_the_platform(
    conversation, personas, settings, django_capture_on_commit_callbacks
):
    settings.SOLIDAIRE_RELAY_DOMAIN = ""
    with django_capture_on_commit_callbacks(execute=True):
        conversations.write(conversation=conversation, author=personas.a.donor, text="Merci !")
    email = mail.outbox[-1]
    assert not any(address.startswith("entraide+") for address in email.reply_to)
    assert translated("Answer on the platform (not to this e-mail):") in email.body


def test_a_gmail_answer_is_posted_as_its_author_without_the_quoted_email(conversation, personas, monkeypatch):
    a = personas.a
    to = reply_address(conversation, a.donor)
    raw = gmail_reply(to, a.donor.email, "Tr=C3=A8s bien, =C3=A0 samedi 10 h !")
    output = run_command(raw, monkeypatch)
    message = conversation.messages.last()
    assert output.startswith(f"posted message {message.pk}")
    assert (message.author, message.via, message.text) == (a.donor, Message.Via.EMAIL, "Très bien, à samedi 10 h !")


def test_the_answer_is_relayed_on_to_the_other_by_email(
    conversation, personas, monkeypatch, django_capture_on_commit_callbacks
):
    a = personas.a
    raw = gmail_reply(reply_address(conversation, a.donor), a.donor.email, "Parfait, merci.")
    with django_capture_on_commit_callbacks(execute=True):
        run_command(raw, monkeypatch)
    email = mail.outbox[-1]
    assert email.to == [personas.outsider.email] and "Parfait, merci." in email.body
    assert email.reply_to == [reply_address(conversation, personas.outsider)]
    assert a.donor.email not in email.body


def test_an_outlook_html_answer_is_read(conversation, personas, monkeypatch):
    a = personas.a
    html = (
        "<html><head><style>p{margin:0}</style></head><body><div>Bonjour Otto,</div><div><br></div>"
        "<div>Samedi c&#39;est parfait.</div><div><br></div>"
        "<hr><div><b>De :</b> Région Grand Est &lt;solidaire@grandest.fr&gt;<br><b>Envoyé :</b> mardi"
        "</div><div>Otto vous a écrit</div></body></html>"
    )
    run_command(outlook_html_reply(reply_address(conversation, a.donor), a.donor.email, html), monkeypatch)
    assert conversation.messages.last().text == "Bonjour Otto,\n\nSamedi c'est parfait."


def test_a_thunderbird_answer_in_english_is_read(conversation, personas, monkeypatch):
    otto = personas.outsider
    raw = thunderbird_reply(
        reply_address(conversation, otto), otto.email, "See you Saturday.\n\n-- \nOtto, 06 12 34 56 78"
    )
    run_command(raw, monkeypatch)
    message = conversation.messages.last()
    assert (message.author, message.text) == (otto, "See you Saturday.")


def test_only_that_participants_mailbox_may_answer(conversation, personas, monkeypatch):
    a = personas.a
    to = reply_address(conversation, a.donor)
    for sender in (personas.outsider.email, "dora.martin@autre.example"):
        with pytest.raises(CommandError) as refused:
            run_command(gmail_reply(to, sender, "Usurpation"), monkeypatch)
        assert refused.value.returncode == 67
    assert conversation.messages.count() == 1


def test_a_forged_or_unknown_address_is_refused(conversation, personas, monkeypatch):
    a = personas.a
    to = reply_address(conversation, a.donor)
    for address in (to[: -len(RELAY) - 3] + "zz@" + RELAY, "contact@" + RELAY, "entraide@" + RELAY):
        with pytest.raises(CommandError) as refused:
            run_command(gmail_reply(address, a.donor.email, "Bonjour"), monkeypatch)
        assert refused.value.returncode == 67
    assert conversation.messages.count() == 1


def test_automatic_answers_are_dropped(conversation, personas, monkeypatch):
    otto = personas.outsider
    raw = thunderbird_reply(
        reply_address(conversation, otto), otto.email, "Je suis absent jusqu'au 5.", "Auto-Submitted: auto-replied\n"
    )
    assert "ignored" in run_command(raw, monkeypatch)
    assert conversation.messages.count() == 1


def test_a_closed_conversation_takes_no_answer_by_email(conversation, personas, monkeypatch):
    a = personas.a
    conversations.close(conversation=conversation, actor=personas.outsider)
    with pytest.raises(CommandError) as refused:
        run_command(gmail_reply(reply_address(conversation, a.donor), a.donor.email, "Encore ?"), monkeypatch)
    assert refused.value.returncode == 69
    assert "closed" in str(refused.value)
    assert conversation.messages.count() == 1


def test_an_answer_with_only_quoted_text_is_refused(conversation, personas, monkeypatch):
    a = personas.a
    with pytest.raises(CommandError) as refused:
        run_command(gmail_reply(reply_address(conversation, a.donor), a.donor.email, ""), monkeypatch)
    assert refused.value.returncode == 65
    assert conversation.messages.count() == 1


def test_answers_by_email_count_against_the_rate_limit(conversation, personas, monkeypatch, settings):
    monkeypatch.setitem(settings.SOLIDAIRE_MUTUAL_AID_RATES, "message", "2/h")
    a = personas.a
    to = reply_address(conversation, a.donor)
    run_command(gmail_reply(to, a.donor.email, "Un"), monkeypatch)
    run_command(gmail_reply(to, a.donor.email, "Deux"), monkeypatch)
    with pytest.raises(CommandError) as refused:
        run_command(gmail_reply(to, a.donor.email, "Trois"), monkeypatch)
    assert refused.value.returncode == 69
    assert conversation.messages.count() == 3


def test_strip_quoted_keeps_only_the_new_text():
    text = "Oui !\r\n\r\n> citation\r\nAm Di., 2. Dez. 2026 um 10:12 Uhr schrieb Region <a@b.c>:\r\n> alt"
    assert relay.strip_quoted(text) == "Oui !"
    assert relay.strip_quoted("Merci\n-----Original Message-----\nFrom: x") == "Merci"


def test_an_answer_written_below_the_quotation_is_read():
    text = (
        "Le mar. 1 déc. 2026 à 18:02, Région Grand Est <entraide+1-2.abc@relais.example> a écrit :\n"
        "> Bonjour, je peux passer samedi.\n>\n> #-- Répondez au-dessus de cette ligne --#\n"
        "\nParfait, à samedi !\n\n-- \nDora"
    )
    assert relay.strip_quoted(text) == "Parfait, à samedi !"
    # Quoted text alone is still nothing, and a top answer keeps winning over what follows.
    assert relay.strip_quoted("On Tue, Dec 1 wrote:\n> old\n> older") == ""
    assert relay.strip_quoted("Oui\nOn Tue wrote:\n> old\nP.S. later") == "Oui"
