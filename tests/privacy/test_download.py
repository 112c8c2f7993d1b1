"""A person downloads everything the platform holds about them (privacy.export): a zip of one JSON
document and one CSV per part — account, gifts, vouchers, consents, memberships, audit entries —
with their gifts in every collectivité and nobody else's data; the download is in the audit log."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.privacy import identity
from solidaire.privacy.export import COLUMNS

from ..donations.helpers import refund
from ..gifts import give
from ..vouchers.helpers import approved_offer

pytestmark = pytest.mark.django_db

EMAIL = "jean.dupont@example.org"
PARTS = (
    "account",
    "gifts",
    "vouchers",
    "consents",
    "memberships",
    "audit",
    "mutual_aid_posts",
    "mutual_aid_messages",
    "mutual_aid_conversations",
    "mutual_aid_follow_ups",
    "mutual_aid_notes",
    "mutual_aid_preferences",
    "mutual_aid_reports",
)
OTHER = ("someone.else@example.org", "Autre Personne", "Pour un autre café")


@pytest.fixture
def history(personas, cafe_a, cafe_b):
    """Jean gave in both collectivités (a voucher in the Région's café, part of the other gift
    refunded by Metz's finance officer); someone else gave in the same café."""
    approved_offer(cafe_a, kind="item", item_label="Un café offert")
    other = give(cafe_a, 800, email=OTHER[0], donor_name=OTHER[1], public_message=OTHER[2])
    in_a = give(cafe_a, 500, email="Jean.Dupont+cafe@example.org", donor_name="Jean Dupont", public_message="Tenez bon")
    in_b = refund(give(cafe_b, 700, email=EMAIL, contact_consent=True), actor=personas.b.finance, amount_cents=200)
    return in_a, in_b, other


def download(client, email=EMAIL):
    client.get(reverse("privacy:open", args=[identity.make_token(email)]))
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def read_csv(zipped, part) -> list[dict]:
    text = zipped.read(f"{part}.csv").decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_zip_holds_the_json_document_and_one_csv_per_part(history, client_for, personas):
    zipped = download(client_for(personas.a))
    assert sorted(zipped.namelist()) == sorted(["personal-data.json", *(f"{part}.csv" for part in PARTS)])
    document = json.loads(zipped.read("personal-data.json"))
    assert document["email"] == EMAIL
    for part in PARTS:
        header = zipped.read(f"{part}.csv").decode("utf-8").splitlines()[0]
        assert header == "\ufeff" + ",".join(COLUMNS[part]), part  # a header even without rows
        rows = read_csv(zipped, part)
        assert len(rows) == len(document[part]), part
        assert all(list(row) == COLUMNS[part] for row in document[part]), part
    assert document["account"] == [] and document["memberships"] == []


def test_gifts_in_both_collectivites_their_voucher_and_consents(history, client_for, personas):
    in_a, in_b, _other = history
    document = json.loads(download(client_for(personas.b)).read("personal-data.json"))

    gifts = {g["id"]: g for g in document["gifts"]}
    assert set(gifts) == {str(in_a.pk), str(in_b.pk)}
    assert gifts[str(in_a.pk)] | {"created_at": None, "confirmed_at": None, "payment_id": None} == {
        "id": str(in_a.pk),
        "collectivite": "Région Grand Est",
        "campaign": "Café Solidaire",
        "beneficiary": "Café de la Gare",
        "created_at": None,
        "confirmed_at": None,
        "status": "confirmed",
        "amount_cents": 500,
        "match_cents": in_a.match_cents,
        "refunded_cents": 0,
        "email": "jean.dupont+cafe@example.org",
        "donor_name": "Jean Dupont",
        "public_message": "Tenez bon",
        "language": "fr",
        "provider": "sandbox",
        "payment_id": None,
    }
    b = gifts[str(in_b.pk)]
    assert (b["collectivite"], b["beneficiary"], b["amount_cents"], b["refunded_cents"]) == (
        "Ville de Metz",
        "Brasserie du Temple",
        700,
        200,
    )

    (voucher,) = document["vouchers"]
    assert voucher["gift"] == str(in_a.pk)
    assert voucher["code"] == in_a.voucher.code
    assert (voucher["kind"], voucher["item_label"], voucher["status"]) == ("item", "Un café offert", "active")
    assert voucher["collectivite"] == "Région Grand Est"

    consents = {(c["gift"], c["consent"]): c["given"] for c in document["consents"]}
    assert consents[(str(in_b.pk), "contact_consent")] is True
    assert consents[(str(in_a.pk), "contact_consent")] is False
    assert len(consents) == 6


def test_the_audit_entries_about_the_persons_gifts_do_not_name_the_team(history, client_for, personas):
    _in_a, in_b, _other = history
    zipped = download(client_for(personas.a))
    audit = json.loads(zipped.read("personal-data.json"))["audit"]
    refunds = [e for e in audit if e["action"] == "gift.refund_requested"]
    assert [(e["object_id"], e["collectivite"], e["actor"]) for e in refunds] == [
        (str(in_b.pk), "Ville de Metz", "team")
    ]
    assert {e["action"] for e in audit} >= {"gift.refund_requested", "gift.refunded"}
    everything = b"".join(zipped.read(name) for name in zipped.namelist()).decode("utf-8")
    assert personas.b.finance.email not in everything


def test_nobody_elses_data_is_in_the_zip(history, client_for, personas):
    _in_a, _in_b, other = history
    zipped = download(client_for(personas.a))
    everything = "".join(zipped.read(name).decode("utf-8") for name in zipped.namelist())
    for trace in (*OTHER, str(other.pk), other.voucher.code):
        assert trace not in everything


def test_an_account_holder_gets_their_account_and_memberships(personas, cafe_a, client_for):
    fiona = personas.a.finance  # a finance officer of the Région who also gave
    gift = give(cafe_a, 500, email=fiona.email, user=fiona)
    zipped = zipfile.ZipFile(io.BytesIO(client_for(personas.a, fiona).get(reverse("privacy:download")).content))
    document = json.loads(zipped.read("personal-data.json"))
    (account,) = document["account"]
    assert (account["email"], account["first_name"], account["is_active"]) == (fiona.email, "Fiona", True)
    assert account["verified_addresses"] == [fiona.email]
    assert document["memberships"] == [
        {"collectivite": "Région Grand Est", "role": "finance", "since": document["memberships"][0]["since"]}
    ]
    assert [g["id"] for g in document["gifts"]] == [str(gift.pk)]
    assert read_csv(zipped, "memberships")[0]["role"] == "finance"


def test_the_download_is_in_the_audit_log_without_the_address(history, client_for, personas):
    download(client_for(personas.a))
    (event,) = AuditEvent.objects.filter(action="privacy.exported")
    fingerprint = identity.Person(email=EMAIL).fingerprint
    assert event.collectivite == personas.a.tenant
    assert event.actor is None
    assert event.data == {"subject": fingerprint, "gifts": 2}
    assert EMAIL not in str((event.actor_label, event.object_label, event.data)).lower()
    assert "dupont" not in str((event.actor_label, event.object_label, event.data)).lower()
    # The next download lists it among the entries about the person.
    audit = json.loads(download(client_for(personas.a)).read("personal-data.json"))["audit"]
    assert [e["actor"] for e in audit if e["action"] == "privacy.exported"] == ["system"]


def test_without_a_link_or_an_account_there_is_nothing_to_download(history, client_for, personas):
    response = client_for(personas.a).get(reverse("privacy:download"))
    assert response.status_code == 302 and response["Location"] == reverse("privacy:ask")
    assert not AuditEvent.objects.filter(action="privacy.exported").exists()
