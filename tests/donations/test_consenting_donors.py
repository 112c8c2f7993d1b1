"""Donors who agreed that the establishment may contact them (issue 10, item 14): the owner sees
them — name, e-mail, date, message — on a page of their space and exports them as CSV (UTF-8,
";" between cells); donors who did not agree, and gifts not confirmed, stay hidden. Owners only;
the export is audited as personal data leaving the product."""

import csv
import io

import pytest

from solidaire.audit.models import AuditEvent

from ..campaigns.helpers import text
from ..gifts import approved_registration, give, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(personas, campaign):
    return approved_registration(campaign, owner=personas.a.owner, name="Le Petit Grain")


@pytest.fixture
def donors(mine):
    return {
        "agreed": give(mine, 500, email="ada@example.org", donor_name="Ada", contact_consent=True,
                       public_message="Bravo !"),
        "refused": give(mine, 500, email="bea@example.org", donor_name="Béa", contact_consent=False),
        "unpaid": start(mine, 500, email="cid@example.org", donor_name="Cid", contact_consent=True),
        "failed": give(mine, 500, email="dan@example.org", contact_consent=True, outcome="decline"),
    }  # fmt: skip


def page_url(registration) -> str:
    return f"/mon-espace/inscriptions/{registration.pk}/donateurs/"


def csv_url(registration) -> str:
    return f"/mon-espace/inscriptions/{registration.pk}/donateurs.csv"


def test_the_owner_sees_the_donors_who_agreed_to_be_contacted(personas, client_for, mine, donors):
    response = client_for(personas.a, personas.a.owner).get(page_url(mine))
    assert response.status_code == 200
    shown = text(response)
    assert "ada@example.org" in shown and "Ada" in shown and "Bravo !" in shown


def test_donors_who_did_not_agree_or_whose_gift_is_not_confirmed_stay_hidden(personas, client_for, mine, donors):
    shown = text(client_for(personas.a, personas.a.owner).get(page_url(mine)))
    for hidden in ("bea@example.org", "cid@example.org", "dan@example.org"):
        assert hidden not in shown


def test_an_anonymous_donors_name_is_not_given(personas, client_for, mine):
    give(mine, 500, email="eve@example.org", donor_name="Ève Secret", anonymous=True, contact_consent=True)
    shown = text(client_for(personas.a, personas.a.owner).get(page_url(mine)))
    assert "eve@example.org" in shown and "Ève Secret" not in shown


def test_the_owners_registration_page_leads_to_the_donors(personas, client_for, mine):
    shown = text(client_for(personas.a, personas.a.owner).get(f"/mon-espace/inscriptions/{mine.pk}/"))
    assert page_url(mine) in shown


def test_the_export_is_a_utf8_csv_with_semicolons_of_the_consenting_donors_only(personas, client_for, mine, donors):
    response = client_for(personas.a, personas.a.owner).get(csv_url(mine))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][:2] == ["Ada", "ada@example.org"] and rows[1][3] == "Bravo !"
    assert b"bea@example.org" not in content and b"cid@example.org" not in content


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_made_text(personas, client_for, mine):
    give(mine, 500, email="mal@example.org", donor_name="=HYPERLINK(1)", contact_consent=True)
    content = client_for(personas.a, personas.a.owner).get(csv_url(mine)).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content


def test_the_export_is_recorded_in_the_audit_log(personas, client_for, mine, donors):
    client_for(personas.a, personas.a.owner).get(csv_url(mine))
    event = AuditEvent.objects.get(action="gift.donor_contacts_exported")
    assert event.collectivite == personas.a.tenant and event.actor == personas.a.owner
    assert event.data == {"count": 1}
    assert event.object_id == str(mine.pk)


def test_viewing_the_page_is_not_an_export(personas, client_for, mine, donors):
    client_for(personas.a, personas.a.owner).get(page_url(mine))
    assert not AuditEvent.objects.filter(action="gift.donor_contacts_exported").exists()


@pytest.mark.parametrize("who", ["admin", "finance", "donor"])
def test_only_the_owner_sees_them(personas, client_for, mine, donors, who):
    client = client_for(personas.a, getattr(personas.a, who))
    assert client.get(page_url(mine)).status_code == 404
    assert client.get(csv_url(mine)).status_code == 404
    assert not AuditEvent.objects.filter(action="gift.donor_contacts_exported").exists()


def test_another_collectivites_owner_does_not_find_them(personas, client_for, mine, donors):
    assert client_for(personas.b, personas.b.owner).get(page_url(mine)).status_code == 404
    assert client_for(personas.a, personas.b.owner).get(csv_url(mine)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(personas, client_for, mine):
    response = client_for(personas.a).get(csv_url(mine))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
