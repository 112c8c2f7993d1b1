"""The owner's dashboard: gifts per day, the gifts one by one (a name only when the donor did not
give anonymously, never an e-mail address), vouchers issued and used, and its export (audited)."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from solidaire.audit.models import AuditEvent

from ..gifts import approved_registration, give
from ..vouchers.helpers import approved_offer, redeem, voucher_for

pytestmark = pytest.mark.django_db


def test_the_owner_sees_what_donors_agreed_to_show(personas, client_for, cafe, gifts):
    oscar = client_for(personas.a, personas.a.owner)
    page = oscar.get(reverse("exports:owner_dashboard", args=[cafe.pk])).content.decode()
    assert "Dora Dupont" in page and "Courage à toute l’équipe" in page
    assert "Anne Onyme" not in page, "anonymous"
    assert "@example.org" not in page, "no e-mail address"
    assert reverse("exports:owner_chart", args=[cafe.pk]) in page and "<caption>" in page
    assert reverse("exports:owner_export", args=[cafe.pk, "xlsx"]) in page
    assert not AuditEvent.objects.filter(action="export.owner_gifts").exists()


def test_vouchers_issued_and_used(personas, client_for, cafe):
    approved_offer(cafe)
    voucher = voucher_for(cafe, 1000)
    redeem(voucher, personas.a.owner, 400)
    response = client_for(personas.a, personas.a.owner).get(reverse("exports:owner_dashboard", args=[cafe.pk]))
    vouchers = response.context["vouchers"]
    assert vouchers == {
        "issued": 1,
        "value_issued": voucher.value_cents,
        "redeemed": 400,
        "live": 1,
        "outstanding": voucher.value_cents - 400,
    }


def test_gifts_per_day_and_its_chart(personas, client_for, cafe, gifts):
    oscar = client_for(personas.a, personas.a.owner)
    (day,) = oscar.get(reverse("exports:owner_dashboard", args=[cafe.pk])).context["days"]
    assert (day["count"], day["given"], day["match"], day["reversed"]) == (3, 2200, 2200, 0)
    chart = oscar.get(reverse("exports:owner_chart", args=[cafe.pk]))
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert "script-src 'none'" in chart["Content-Security-Policy"]
    assert b"<svg" in chart.content and b"Anne" not in chart.content
    assert b"<script" not in chart.content.lower()  # a picture: nothing to run (and its CSP would refuse it)


def test_the_export_holds_what_the_page_shows_and_is_audited(personas, client_for, cafe, gifts):
    oscar = client_for(personas.a, personas.a.owner)
    response = oscar.get(reverse("exports:owner_export", args=[cafe.pk, "csv"]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4
    text = response.content.decode()
    assert "Dora Dupont" in text and "Anne Onyme" not in text and "@" not in text
    (event,) = AuditEvent.objects.filter(action="export.owner_gifts")
    assert event.actor == personas.a.owner and event.data == {"format": "csv", "rows": 3}
    assert event.collectivite == personas.a.tenant and event.object_id == str(cafe.pk)
    xlsx = oscar.get(reverse("exports:owner_export", args=[cafe.pk, "xlsx"]))
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        assert book.testzip() is None and "xl/worksheets/sheet1.xml" in book.namelist()
    assert oscar.get(reverse("exports:owner_export", args=[cafe.pk, "pdf"])).status_code == 404


def test_other_people_get_nothing(personas, client_for, campaign, cafe, gifts):
    other = approved_registration(campaign, name="Le Bar du Coin")
    give(other, 900, email="zoe@example.org", donor_name="Zoé")
    oscar = client_for(personas.a, personas.a.owner)
    assert "Zoé" not in oscar.get(reverse("exports:owner_dashboard", args=[cafe.pk])).content.decode()
    for name in ("exports:owner_dashboard", "exports:owner_chart"):
        assert oscar.get(reverse(name, args=[other.pk])).status_code == 404
        assert client_for(personas.a, personas.a.admin).get(reverse(name, args=[cafe.pk])).status_code == 404
        assert client_for(personas.b, personas.a.owner).get(reverse(name, args=[cafe.pk])).status_code == 404
    assert oscar.get(reverse("exports:owner_export", args=[other.pk, "csv"])).status_code == 404
    assert not AuditEvent.objects.filter(action="export.owner_gifts").exists()


def test_the_registration_page_links_to_the_dashboard(personas, client_for, cafe):
    page = client_for(personas.a, personas.a.owner).get(reverse("beneficiaries:owner_registration", args=[cafe.pk]))
    assert reverse("exports:owner_dashboard", args=[cafe.pk]) in page.content.decode()
