"""Rotating the site’s secret (SOLIDAIRE_SECRET_KEY, the old one kept in
SOLIDAIRE_SECRET_KEY_FALLBACKS) keeps what was handed out under the old one working: the QR code
of a printed voucher, the voucher’s private link and the gift's private link in e-mails already
sent. Once the old key leaves the fallbacks they are refused, as are forged ones."""

from urllib.parse import quote

import pytest
from django.core import signing
from django.test import override_settings
from django.urls import resolve, reverse

from solidaire.vouchers import codes

from .helpers import approved_offer, voucher_for

pytestmark = pytest.mark.django_db

OLD = "the secret key this site used until the rotation, long enough to be one"
NEW = "the secret key this site uses since the rotation, long enough to be one"
NEVER = "a secret key this site never had, for forging links and QR codes with it"

rotated = override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD])
old_key_dropped = override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[])


@pytest.fixture
def voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    return voucher_for(cafe, 1000, email="dora@example.org")


@pytest.fixture
def handed_out(voucher):
    """What the donor holds from before the rotation: the QR payload and both private tokens."""
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        return {"payload": codes.sign(voucher.code), "voucher": voucher.token, "gift": voucher.gift.token}


def voucher_page(voucher, token) -> str:
    return f"{reverse('vouchers:voucher', args=[voucher.pk])}?t={token}"


def gift_page(gift, token) -> str:
    return f"{reverse('donations:gift', args=[gift.pk])}?t={token}"


def scan_path(payload) -> str:
    return reverse("vouchers:scan", args=[payload])


def counter_voucher_path(voucher) -> str:
    return reverse("vouchers:counter_voucher", args=[voucher.registration.establishment_id, voucher.pk])


# Kept by the fallback key ------------------------------------------------------------------------


def test_a_voucher_printed_before_the_key_rotation_still_scans(personas, client_for, voucher, handed_out):
    with rotated:
        assert codes.verify(handed_out["payload"]) == voucher.code
        response = client_for(personas.a, personas.a.owner).get(scan_path(handed_out["payload"]))
    assert response.status_code == 302
    assert response["Location"] == counter_voucher_path(voucher)


def test_a_voucher_link_sent_before_the_key_rotation_still_opens_the_voucher_page(
    personas, client_for, voucher, handed_out
):
    with rotated:
        response = client_for(personas.a).get(voucher_page(voucher, handed_out["voucher"]))
    assert response.status_code == 200
    assert codes.display(voucher.code) in response.content.decode()


def test_a_gift_link_sent_before_the_key_rotation_still_opens_the_gift_page(personas, client_for, voucher, handed_out):
    with rotated:
        assert client_for(personas.a).get(gift_page(voucher.gift, handed_out["gift"])).status_code == 200
        api = client_for(personas.a).get(f"/api/v1/gifts/{voucher.gift.pk}?token={handed_out['gift']}")
    assert api.status_code == 200


def test_after_the_rotation_new_links_and_qr_codes_are_signed_with_the_new_key(voucher, handed_out):
    with rotated:
        fresh = {"payload": codes.sign(voucher.code), "voucher": voucher.token, "gift": voucher.gift.token}
    with old_key_dropped:
        assert codes.verify(fresh["payload"]) == voucher.code
        assert voucher.check_token(fresh["voucher"])
        assert voucher.gift.check_token(fresh["gift"])
    assert fresh.keys() == handed_out.keys()
    assert all(fresh[what] != handed_out[what] for what in fresh)


# Refused -----------------------------------------------------------------------------------------


def test_once_the_old_key_leaves_the_fallbacks_its_qr_codes_are_refused(personas, client_for, handed_out):
    with old_key_dropped:
        with pytest.raises(codes.InvalidCode, match="signature"):
            codes.verify(handed_out["payload"])
        response = client_for(personas.a, personas.a.owner).get(scan_path(handed_out["payload"]))
    assert response.status_code == 404


def test_once_the_old_key_leaves_the_fallbacks_its_links_are_refused(personas, client_for, voucher, handed_out):
    with old_key_dropped:
        anonymous = client_for(personas.a)
        assert anonymous.get(voucher_page(voucher, handed_out["voucher"])).status_code == 404
        assert anonymous.get(gift_page(voucher.gift, handed_out["gift"])).status_code == 404


def test_links_and_qr_codes_signed_with_a_key_the_site_never_had_are_refused(personas, client_for, voucher):
    with override_settings(SECRET_KEY=NEVER, SECRET_KEY_FALLBACKS=[]):
        forged = {"payload": codes.sign(voucher.code), "voucher": voucher.token, "gift": voucher.gift.token}
    with rotated:
        with pytest.raises(codes.InvalidCode, match="signature"):
            codes.verify(forged["payload"])
        anonymous = client_for(personas.a)
        assert anonymous.get(voucher_page(voucher, forged["voucher"])).status_code == 404
        assert anonymous.get(gift_page(voucher.gift, forged["gift"])).status_code == 404


def test_a_token_of_one_object_does_not_open_another(voucher, handed_out):
    """The voucher’s and the gift's tokens sign the same kind of id with different salts."""
    with rotated:
        assert not voucher.check_token(handed_out["gift"])
        assert not voucher.gift.check_token(handed_out["voucher"])


@pytest.mark.parametrize(
    "token",
    ["", ":", "0" * 32, "0" * 43, "x:y", "a" * 200],
    ids=["empty", "separator", "32", "43", "two parts", "long"],
)
def test_made_up_tokens_are_refused(voucher, token):
    assert not voucher.check_token(token)
    assert not voucher.gift.check_token(token)


def test_a_token_signing_the_id_with_something_appended_is_refused(voucher):
    """check_token puts the id in front of what it is given: "<id>:<more>:<signature of id:more>"
    must not pass for the id's own signature."""
    more = signing.Signer(salt="solidaire.voucher-token").sign(f"{voucher.pk}:more")
    assert not voucher.check_token(more.removeprefix(f"{voucher.pk}:"))


# In addresses -----------------------------------------------------------------------------------


def test_tokens_and_qr_payloads_go_into_addresses_as_they_are(voucher, handed_out):
    """Base64url signatures: nothing to escape in a query string; the payload's ":" is allowed
    in a path segment, and the scan address gives the payload back."""
    for token in (handed_out["voucher"], handed_out["gift"], voucher.token, voucher.gift.token):
        assert quote(token, safe="") == token
    payload = handed_out["payload"]
    assert "/" not in payload
    match = resolve(scan_path(payload))
    assert (match.url_name, match.kwargs) == ("scan", {"payload": payload})
