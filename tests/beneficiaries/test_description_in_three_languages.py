"""An establishment’s description can be written in English and German besides French (optional,
falling back to French): the owner's form takes them, they wait for moderation like the French
one, and the public page shows the visitor's language."""

import html

import pytest

from solidaire.beneficiaries.models import PUBLIC_FIELDS

from .helpers import cafe_campaign, edit_data, listed

pytestmark = pytest.mark.django_db


def test_the_public_page_shows_the_description_in_the_visitors_language(personas, client_for):
    campaign = cafe_campaign(personas.a)
    registration = listed(
        campaign,
        personas.a,
        personas.a.owner,
        trade_name="Le Café des Arts",
        description="Un café de quartier.",
        description_en="A neighbourhood café.",
    )
    path = f"/campagnes/{campaign.slug}/etablissements/{registration.establishment_id}/"
    client = client_for(personas.a)
    assert "Un café de quartier." in html.unescape(client.get(path, follow=True).content.decode())
    english = html.unescape(client.get("/en" + path, follow=True).content.decode())
    assert "A neighbourhood café." in english and "Un café de quartier." not in english
    assert "Un café de quartier." in html.unescape(client.get("/de" + path, follow=True).content.decode())


def test_the_owner_writes_the_translations_and_they_are_moderated_like_the_french_text(personas, client_for):
    assert {"description_en", "description_de"} <= set(PUBLIC_FIELDS)
    campaign = cafe_campaign(personas.a)
    registration = listed(campaign, personas.a, personas.a.owner, description="Un café.")
    establishment = registration.establishment
    response = client_for(personas.a, personas.a.owner).post(
        f"/mon-espace/etablissements/{establishment.pk}/modifier/",
        edit_data(establishment, description_en="A café.", description_de="Ein Café."),
    )
    assert response.status_code == 302
    establishment.refresh_from_db()
    published = (establishment.description_en, establishment.description_de)
    pending = (establishment.pending_changes.get("description_en"), establishment.pending_changes.get("description_de"))
    # Published at once or waiting for a moderator, as the collectivité decides: never lost.
    assert published == ("A café.", "Ein Café.") or pending == ("A café.", "Ein Café.")
