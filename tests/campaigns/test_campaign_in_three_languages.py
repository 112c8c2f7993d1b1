"""A campaign’s title, summary, text and picture description can be written in French, English
and German (French required, the others optional) in the back-office form and in
`solidaire create-campaign`; public pages show the visitor's language, falling back to French."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from solidaire.campaigns.forms import CampaignForm
from solidaire.campaigns.models import Campaign
from solidaire.demo.cafes import seed_cafes
from solidaire.demo.seed import _cafe_solidaire
from tests.factories import CampaignFactory

from .helpers import CREATE_URL, form_data
from .test_create_campaign_command import argv, flags

pytestmark = pytest.mark.django_db


def test_the_back_office_form_takes_english_and_german_texts(personas, client_for):
    response = client_for(personas.a, personas.a.admin).post(
        CREATE_URL,
        form_data(
            title_en="Solidarity Café",
            title_de="Solidarisches Café",
            summary_en="Support the bars and cafés.",
            description_en="Each gift is doubled.",
            picture_alt_de="Eine Terrasse",
        ),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.title, campaign.title_en, campaign.title_de) == (
        "Café Solidaire",
        "Solidarity Café",
        "Solidarisches Café",
    )
    assert (campaign.summary_en, campaign.summary_de) == ("Support the bars and cafés.", "")
    assert campaign.description_en == "Each gift is doubled."
    assert campaign.picture_alt_de == "Eine Terrasse"


def test_french_is_required_and_the_other_languages_are_not(personas):
    form = CampaignForm(data=form_data(title="", title_en="Solidarity Café"), collectivite=personas.a.tenant)
    assert not form.is_valid()
    assert "title" in form.errors
    assert CampaignForm(data=form_data(), collectivite=personas.a.tenant).is_valid()


def test_the_command_takes_english_and_german_texts(personas):
    call_command(
        "create-campaign",
        *argv(
            flags(title_en="Solidarity Café", summary_de="Unterstützen Sie die Cafés.", text_en="Each gift is doubled.")
        ),
        stdout=StringIO(),
    )
    campaign = Campaign.objects.get()
    assert (campaign.title_en, campaign.summary_de, campaign.description_en) == (
        "Solidarity Café",
        "Unterstützen Sie die Cafés.",
        "Each gift is doubled.",
    )


def test_the_public_page_shows_the_visitors_language_with_french_as_fallback(personas, client_for):
    campaign = CampaignFactory(
        collectivite=personas.a.tenant,
        slug="cafe-solidaire",
        title="Café Solidaire",
        title_en="Solidarity Café",
        summary="Soutenez les cafés.",
        summary_de="Unterstützen Sie die Cafés.",
        status="published",
    )
    client = client_for(personas.a)
    french = client.get(f"/campagnes/{campaign.slug}/").content.decode()
    english = client.get(f"/en/campagnes/{campaign.slug}/").content.decode()
    german = client.get(f"/de/campagnes/{campaign.slug}/").content.decode()
    assert "<h1>Café Solidaire</h1>" in french and "Soutenez les cafés." in french
    assert "<h1>Solidarity Café</h1>" in english and "Soutenez les cafés." in english  # no English summary
    assert "<h1>Café Solidaire</h1>" in german and "Unterstützen Sie die Cafés." in german


def test_a_blank_translation_falls_back_to_french():
    campaign = Campaign(title="Café Solidaire", title_en="   ", title_de="Solidarisches Café")
    with translation.override("en"):
        assert campaign.localized.title == "Café Solidaire"
    with translation.override("de"):
        assert campaign.localized.title == "Solidarisches Café"


def test_the_demo_speaks_english_and_german_too(personas):
    campaign = _cafe_solidaire(personas.a.tenant, personas.a.admin)
    assert (campaign.title_en, campaign.title_de) == ("Solidarity Café", "Solidarisches Café")
    assert campaign.summary_en and campaign.summary_de and campaign.description_en and campaign.description_de
    seed_cafes(personas.a.tenant, campaign, personas.a.moderator, count=8)
    registration = campaign.registrations.filter(status="approved").select_related("establishment").first()
    with translation.override("de"):
        assert registration.establishment.localized.description == registration.establishment.description_de != ""
