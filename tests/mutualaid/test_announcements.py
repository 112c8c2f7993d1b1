"""The collectivité speaks to its network (issue 12, item 7): a moderator publishes an announcement
(French, optional English and German), pinned on /entraide/; it is e-mailed once, by a task, to the
members according to their choice (every announcement, those for their commune, none — nobody
before choosing), each in their language, with a signed link that stops them without signing in.
Publishing, changing and choosing are audited."""

import pytest
from django.core import mail
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune
from solidaire.mutualaid import announcements
from solidaire.mutualaid.models import Announcement, AnnouncementPreference
from tests.conftest import TenantClient
from tests.factories import UserFactory

from .helpers import METZ, SCHILTIGHEIM, STRASBOURG, open_network

pytestmark = pytest.mark.django_db

MANAGE = reverse("mutualaid:announcements")
PREFERENCES = reverse("mutualaid:announcement_preferences")


@pytest.fixture
def network(personas):
    return open_network(personas.a.tenant)


@pytest.fixture
def published(personas, client_for, django_capture_on_commit_callbacks):
    """Posts the form as A's moderator; returns the e-mails sent."""

    def publish(**fields):
        data = {"title": "Pharmacies de garde", "text": "Ouvertes dimanche.", "pinned": "on", **fields}
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(personas.a, personas.a.moderator).post(MANAGE, data)
        assert response.status_code == 302, response.content.decode()
        return mail.outbox[before:]

    return publish


def prefer(personas, user, choice, commune=None):
    return announcements.set_preference(
        collectivite=personas.a.tenant,
        user=user,
        choice=choice,
        commune=Commune.objects.get(pk=commune) if commune else None,
    )


def test_an_announcement_goes_to_the_members_who_chose_it_in_their_language(network, personas, published):
    a = personas.a
    everything = personas.outsider
    local = UserFactory(email="lea@example.org", language="de")
    elsewhere = UserFactory(email="sam@example.org")
    prefer(personas, everything, "all")
    prefer(personas, local, "commune", STRASBOURG)
    prefer(personas, elsewhere, "commune", SCHILTIGHEIM)
    prefer(personas, a.owner, "none")
    # a.donor never chose: nothing.

    sent = published(title_de="Apotheken am Sonntag", commune_text="")
    assert sorted(m.to[0] for m in sent) == sorted([everything.email, local.email, elsewhere.email])
    german = next(m for m in sent if m.to == [local.email])
    assert "Apotheken am Sonntag" in german.subject
    assert "/entraide/preferences-annonces/arret/" in german.body

    sent = published(title="Banque alimentaire de Strasbourg", commune_text="Strasbourg")
    assert sorted(m.to[0] for m in sent) == sorted([everything.email, local.email])
    assert AuditEvent.objects.filter(action="mutualaid.announcement_published").count() == 2

    # Sent once: the task run again sends nothing.
    assert announcements.send(Announcement.objects.first().pk) == 0


def test_pinned_announcements_are_shown_on_the_network_page(network, personas, published, client_for):
    published(title="Fin du confinement", text_en="Lockdown ends on Monday.", text="Le confinement finit lundi.")
    published(title="Pas épinglée", pinned="")
    page = client_for(personas.a).get(reverse("mutualaid:network")).content.decode()
    assert "Fin du confinement" in page and "Pas épinglée" not in page
    english = client_for(personas.a).get("/en" + reverse("mutualaid:network"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Lockdown ends on Monday." in english.content.decode()


def test_a_commune_outside_the_territory_is_refused(network, personas, client_for):
    response = client_for(personas.a, personas.a.moderator).post(
        MANAGE, {"title": "Metz", "text": "…", "commune_text": "Metz"}
    )
    assert response.status_code == 400 and not Announcement.objects.exists()
    with pytest.raises(ActionError):
        prefer(personas, personas.outsider, "commune", METZ)
    with pytest.raises(ActionError):
        prefer(personas, personas.outsider, "commune")


def test_a_moderator_unpins_an_announcement_without_sending_it_again(network, personas, published, client_for):
    published()
    announcement = Announcement.objects.get()
    prefer(personas, personas.outsider, "all")
    mona = client_for(personas.a, personas.a.moderator)
    page = reverse("mutualaid:announcement_edit", args=[announcement.pk])
    assert mona.post(page, {"title": announcement.title, "text": announcement.text}).status_code == 302
    announcement.refresh_from_db()
    assert not announcement.pinned
    event = AuditEvent.objects.get(action="mutualaid.announcement_changed")
    assert event.data == {"fields": ["pinned"]}


def test_a_resident_chooses_on_the_preferences_page(network, personas, client_for):
    dora = client_for(personas.a, personas.a.donor)
    assert dora.get(PREFERENCES).status_code == 200
    assert dora.post(PREFERENCES, {"choice": "commune", "commune_text": ""}).status_code == 400
    assert dora.post(PREFERENCES, {"choice": "commune", "commune_text": "Schiltigheim"}).status_code == 302
    preference = AnnouncementPreference.objects.get(user=personas.a.donor)
    assert (preference.choice, preference.commune_id) == ("commune", SCHILTIGHEIM)
    assert "no-store" in dora.get(PREFERENCES)["Cache-Control"]
    assert client_for(personas.a).get(PREFERENCES).status_code == 302


def test_the_unsubscribe_link_stops_the_emails_in_one_button(network, personas, client_for):
    preference = prefer(personas, personas.outsider, "all")
    link = reverse("mutualaid:announcements_unsubscribe", args=[announcements.unsubscribe_token(preference)])
    anonymous = client_for(personas.a)
    page = anonymous.get(link)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    preference.refresh_from_db()
    assert preference.choice == "all"  # opening the link changes nothing
    assert anonymous.post(link).status_code == 200
    preference.refresh_from_db()
    assert preference.choice == "none"

    forged = reverse("mutualaid:announcements_unsubscribe", args=[announcements.unsubscribe_token(preference) + "x"])
    assert anonymous.get(forged).status_code == 404
    # The link of A's network does nothing on B's host.
    open_network(personas.b.tenant)
    assert client_for(personas.b).get(link).status_code == 404


def test_mail_programs_unsubscribe_in_one_click_from_the_headers(network, personas, published, client_for):
    """RFC 2369 and 8058: the e-mail names its unsubscribe page in List-Unsubscribe, and the mail
    program's own POST (no cookie, no CSRF token) stops the e-mails."""
    prefer(personas, personas.outsider, "all")
    (sent,) = published()
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = sent.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and personas.a.host in url and url in sent.body
    mail_program = TenantClient(personas.a.host, enforce_csrf_checks=True)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert mail_program.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert AnnouncementPreference.objects.get(user=personas.outsider).choice == "none"
