"""The way into a donor’s own space without an account: an e-mailed link, signed and expiring,
asked for on a page that answers the same whatever the address and limits how often it is asked."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import TestCase, override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from solidaire.donations.notifications import gift_url
from solidaire.privacy import identity
from solidaire.vouchers.documents import private_url

from ..gifts import give
from ..vouchers.helpers import approved_offer
from .helpers import link_in_last_email, path_of

pytestmark = pytest.mark.django_db
TOKENS = re.compile(rb'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"')


def same_page(response) -> bytes:
    """The page without what changes at every answer (CSRF tokens, CSP nonces)."""
    return TOKENS.sub(rb"\1", response.content)


ASK = reverse("privacy:ask")
SPACE = reverse("privacy:space")


def ask(client, email, prefix=""):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(prefix + ASK, {"email": email})


def test_a_donor_receives_a_link_on_the_collectivites_address_that_opens_their_space(client_for, personas, cafe_a):
    give(cafe_a, 500, email="Jean.Dupont+cafe@example.org")
    mail.outbox.clear()
    client = client_for(personas.a)
    response = ask(client, "jeandupont@example.org")
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.to == ["jeandupont@example.org"]
    url = link_in_last_email()
    assert url.startswith("http://grand-est.localhost/dons/mon-espace/lien/")
    assert client.get(SPACE).status_code == 302  # not yet
    opened = client.get(path_of(url))
    assert opened.status_code == 302 and opened["Location"] == SPACE
    page = client.get(SPACE)
    assert page.status_code == 200
    assert "Café de la Gare" in page.content.decode()


def test_the_link_is_in_the_language_the_person_asked_in(client_for, personas, cafe_a):
    give(cafe_a, 500, email="jean@example.org")
    mail.outbox.clear()
    ask(client_for(personas.a), "jean@example.org", prefix="/en")
    (message,) = mail.outbox
    assert message.body.startswith("Hello,")
    assert "/en/dons/mon-espace/lien/" in message.body


def test_the_answer_is_the_same_whatever_the_address(client_for, personas, cafe_a):
    give(cafe_a, 500, email="jean@example.org")
    mail.outbox.clear()
    known = ask(client_for(personas.a), "jean@example.org")
    unknown = ask(client_for(personas.a), "nobody-ever@example.org")
    assert known.status_code == unknown.status_code == 200
    assert same_page(known) == same_page(unknown)
    assert len(mail.outbox) == 1  # only an address that gave receives something


def test_a_tampered_link_is_refused(client_for, personas):
    client = client_for(personas.a)
    token = identity.make_token("jean@example.org")
    forged = signing.dumps({"e": "someone@example.org"}, salt="another-salt", compress=True)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nonsense"):
        response = client.get(reverse("privacy:open", args=[bad]))
        assert response.status_code == 400
        assert client.get(SPACE).status_code == 302


def test_an_expired_link_is_refused(client_for, personas, monkeypatch):
    client = client_for(personas.a)
    token = identity.make_token("jean@example.org")
    later = time.time() + 61 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(reverse("privacy:open", args=[token])).status_code == 400
    assert client.get(SPACE).status_code == 302


@override_settings(SOLIDAIRE_PRIVACY_LINK_MINUTES=5)
def test_the_space_closes_after_the_links_period(client_for, personas, cafe_a, monkeypatch):
    give(cafe_a, 500, email="jean@example.org")
    client = client_for(personas.a)
    assert client.get(reverse("privacy:open", args=[identity.make_token("jean@example.org")])).status_code == 302
    assert client.get(SPACE).status_code == 200
    later = time.time() + 6 * 60
    monkeypatch.setattr(identity.time, "time", lambda: later)
    assert client.get(SPACE).status_code == 302


def test_links_are_limited_per_mailbox_however_it_is_written(client_for, personas, cafe_a):
    give(cafe_a, 500, email="jean@example.org")
    mail.outbox.clear()
    spellings = ["jean@example.org", "Jean@Example.org", "j.ean+x@example.org", "JEAN+y@example.org"]
    answers = [ask(client_for(personas.a), email).status_code for email in spellings]
    assert answers == [200, 200, 200, 429]
    assert len(mail.outbox) == 3


def test_links_are_limited_per_client_address(client_for, personas):
    client = client_for(personas.a)
    answers = [ask(client, f"person{n}@example.org").status_code for n in range(21)]
    assert answers[:20] == [200] * 20
    assert answers[20] == 429


@settings(max_examples=30, deadline=None)
@given(st.emails())
def test_a_token_reads_back_the_address_it_was_made_for(email):
    assert identity.read_token(identity.make_token(email)) == email.strip()


def test_a_signed_in_person_with_a_verified_address_reaches_the_space_from_my_account(client_for, personas, cafe_a):
    give(cafe_a, 500, email="dora@example.org")
    client = client_for(personas.a, personas.a.donor)
    account = client.get(reverse("accounts:my_account"))
    assert SPACE in account.content.decode()
    assert client.get(SPACE).status_code == 200
    assert "Café de la Gare" in client.get(SPACE).content.decode()


def test_the_space_lists_the_gifts_of_every_collectivite_with_receipt_and_voucher(client_for, personas, cafe_a, cafe_b):
    approved_offer(cafe_a, kind="item", item_label="Un café offert")
    in_a = give(cafe_a, 500, email="jean@example.org")
    in_b = give(cafe_b, 700, email="Jean@Example.org")
    give(cafe_a, 900, email="someone.else@example.org")
    client = client_for(personas.b)
    client.get(reverse("privacy:open", args=[identity.make_token("jean@example.org")]))
    page = client.get(SPACE).content.decode().replace("&amp;", "&")
    assert gift_url(in_a) in page and gift_url(in_a).startswith("http://grand-est.localhost/")
    assert gift_url(in_b) in page and gift_url(in_b).startswith("http://metz.localhost/")
    assert private_url(in_a.voucher) in page
    assert "Région Grand Est" in page and "Ville de Metz" in page
    assert page.count("<tr>") == 3  # the header and two gifts: not the other donor's
