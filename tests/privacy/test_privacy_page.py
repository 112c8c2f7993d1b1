"""Each collectivité’s privacy page states how long personal data is kept, from the settings and
from the collectivité’s own donor period (`{% retention_periods %}`), in its visitors' language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

SPACES = re.compile(r"[\s\u00a0\u202f]+")


def periods(client, language="fr") -> list[str]:
    """The items of the page's "How long your data is kept" list, spaces made plain."""
    with translation.override(language):
        url = reverse("tenants:privacy")
    page = client.get(url).content.decode()
    section = page.split('aria-labelledby="retention-periods"', 1)[1].split("</section>", 1)[0]
    return [SPACES.sub(" ", item) for item in re.findall(r"<li>(.*?)</li>", section, re.S)]


def test_the_page_states_the_periods_of_the_settings(personas, client_for, settings):
    settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS = 90
    settings.SOLIDAIRE_AUDIT_IDENTITY_YEARS = 5
    settings.SESSION_COOKIE_AGE = 14 * 86400
    donors, notifications, sessions, logs = periods(client_for(personas.a), "en")
    assert donors.startswith("Donors’ name, e-mail address and messages: 3 years after their last gift")
    assert notifications.endswith("their content is deleted after 90 days.")
    assert sessions.endswith("after 14 days at most.")
    assert logs.endswith("replaced by a code after 5 years.")


def test_the_periods_follow_the_settings_and_the_collectivite(personas, client_for, settings):
    personas.a.tenant.donor_retention_years = 1
    personas.a.tenant.save()
    personas.b.tenant.donor_retention_years = 7
    personas.b.tenant.save()
    settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS = 30
    settings.SOLIDAIRE_AUDIT_IDENTITY_YEARS = 10
    settings.SESSION_COOKIE_AGE = 86400
    donors, notifications, sessions, logs = periods(client_for(personas.a), "en")
    assert "messages: 1 year after their last gift" in donors
    assert notifications.endswith("after 30 days.") and sessions.endswith("after 1 day at most.")
    assert logs.endswith("after 10 years.")
    assert "messages: 7 years after their last gift" in periods(client_for(personas.b), "en")[0]


def test_the_page_states_them_in_french(personas, client_for, settings):
    settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS = 90
    settings.SOLIDAIRE_AUDIT_IDENTITY_YEARS = 5
    settings.SESSION_COOKIE_AGE = 14 * 86400
    donors, notifications, sessions, logs = periods(client_for(personas.a))
    assert donors.startswith("Nom, adresse électronique et messages des donateurs : 3 ans après leur dernier don")
    assert notifications.endswith("supprimé après 90 jours.")
    assert sessions.endswith("après 14 jours.")
    assert logs.endswith("remplacées par un code après 5 ans.")
    personas.a.tenant.donor_retention_years = 1
    personas.a.tenant.save()
    assert "des donateurs : 1 an après leur dernier don" in periods(client_for(personas.a))[0]


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_the_page_leads_to_the_donors_space(personas, client_for, language):
    with translation.override(language):
        url, ask = reverse("tenants:privacy"), reverse("privacy:ask")
    page = client_for(personas.a).get(url).content.decode()
    assert f'href="{ask}"' in page
