"""French typography where names, dates and amounts are put into sentences (core.typography):
contractions and elisions around names, the collectivité’s name with its article, "1er" for the
first of a month, non-breaking spaces; German and English checked likewise."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from solidaire.core.money import format_cents
from solidaire.core.typography import NBSP, NNBSP, after, long_date, long_datetime, typeset, with_article
from solidaire.tenants.models import Collectivite, article_for

from ..beneficiaries.helpers import cafe_campaign, listed
from ..factories import CollectiviteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Faire un don à Le Petit Grain", "Faire un don au Petit Grain"),
        ("Faire un don à Les Trois Rois", "Faire un don aux Trois Rois"),
        ("Caisse de Le Petit Grain", "Caisse du Petit Grain"),
        ("Offre de Les Halles", "Offre des Halles"),
        ("Offre de Atelier Vélo", "Offre d’Atelier Vélo"),
        ("À Le Petit Grain, merci", "Au Petit Grain, merci"),
        # Left alone: an elided article, a pronoun, a single letter.
        ("Faire un don à L'Atelier", "Faire un don à L'Atelier"),
        ("Vous pouvez décider de le faire", "Vous pouvez décider de le faire"),
        ("de A à Z", "de A à Z"),
    ],
)
def test_names_after_a_and_de_are_contracted_in_french(sentence, expected):
    assert typeset(sentence, "fr") == expected


def test_english_and_german_sentences_keep_the_name_as_it_is():
    assert typeset("Give to Le Petit Grain", "en") == "Give to Le Petit Grain"
    assert typeset("Spenden an Le Petit Grain", "de") == "Spenden an Le Petit Grain"


def test_french_punctuation_and_units_get_non_breaking_spaces():
    assert typeset("Statut : validé ; merci ! Vraiment ?", "fr") == (
        f"Statut{NBSP}: validé{NNBSP}; merci{NNBSP}! Vraiment{NNBSP}?"
    )
    assert typeset("un bon de 5 € et 20 %", "fr") == f"un bon de 5{NBSP}€ et 20{NBSP}%"
    assert typeset("« Café »", "fr") == f"«{NNBSP}Café{NNBSP}»"
    assert typeset(f"«{NBSP}Café{NBSP}» : ok", "fr") == f"«{NNBSP}Café{NNBSP}»{NBSP}: ok"  # never two spaces
    # An HTML entity keeps its semicolon; a URL keeps its colon.
    assert typeset("Pain &amp; Co", "fr") == "Pain &amp; Co"
    assert typeset("https://example.fr/", "fr") == "https://example.fr/"


def test_the_first_of_a_month_is_1er_in_french_and_dates_follow_each_language():
    first = date(2026, 12, 1)
    assert long_date(first, "fr") == f"1er{NBSP}décembre 2026"
    assert long_date(date(2026, 12, 2), "fr") == f"2{NBSP}décembre 2026"
    assert long_date(first, "de") == "1. Dezember 2026"
    assert long_date(first, "en") == "December 1, 2026"
    moment = datetime(2026, 12, 1, 14, 30)
    assert long_datetime(moment, "fr") == f"1er{NBSP}décembre 2026 à 14:30"
    assert long_datetime(moment, "de") == "1. Dezember 2026 um 14:30"


@pytest.mark.parametrize(
    ("name", "article", "of", "by", "to"),
    [
        ("Région Grand Est", "la", "de la Région Grand Est", "par la Région Grand Est", "à la Région Grand Est"),
        (
            "Département du Bas-Rhin",
            "le",
            "du Département du Bas-Rhin",
            "par le Département du Bas-Rhin",
            "au Département du Bas-Rhin",
        ),
        (
            "Eurométropole de Strasbourg",
            "l’",
            "de l’Eurométropole de Strasbourg",
            "par l’Eurométropole de Strasbourg",
            "à l’Eurométropole de Strasbourg",
        ),
        ("Strasbourg", "", "de Strasbourg", "par Strasbourg", "à Strasbourg"),
    ],
)
def test_the_collectivites_name_takes_its_article_after_a_preposition(name, article, of, by, to):
    assert (after("of", name, article, "fr"), after("by", name, article, "fr"), after("to", name, article, "fr")) == (
        of,
        by,
        to,
    )
    assert after("of", name, article, "en") == f"of {name}"
    assert with_article(name, article, "de") == name


def test_a_new_collectivite_gets_the_article_its_name_calls_for():
    assert article_for("Région Grand Est") == "la"
    assert article_for("Ville de Metz") == "la"
    assert article_for("Département de la Moselle") == "le"
    assert article_for("Eurométropole de Strasbourg") == "l’"
    assert article_for("Strasbourg") == ""
    collectivite = CollectiviteFactory(name="Département du Haut-Rhin", slug="haut-rhin")
    assert Collectivite.objects.get(pk=collectivite.pk).name_with_article == "le Département du Haut-Rhin"


def test_the_campaign_page_names_the_collectivite_with_its_article(personas, client_for):
    collectivite = personas.a.tenant
    collectivite.name, collectivite.article = "Département du Bas-Rhin", "le"
    collectivite.save()
    campaign = cafe_campaign(personas.a)
    text = client_for(personas.a).get(f"/campagnes/{campaign.slug}/").content.decode().replace(NBSP, " ")
    assert "de le Département" not in text
    assert "Département du Bas-Rhin" in text
    assert "du Département du Bas-Rhin" in text  # "Tout le territoire du Département du Bas-Rhin"


def test_the_counter_of_le_petit_grain_is_the_caisse_du_petit_grain(personas, client_for):
    campaign = cafe_campaign(personas.a)
    registration = listed(campaign, personas.a, personas.a.owner, trade_name="Le Petit Grain")
    response = client_for(personas.a, personas.a.owner).get(
        f"/mon-espace/etablissements/{registration.establishment_id}/caisse/"
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "de Le Petit Grain" not in text
    assert "du Petit Grain" in text


def test_the_campaign_page_writes_the_first_of_the_month_as_1er(personas, client_for):
    now = timezone.localtime()
    first = (now.replace(day=1) + timedelta(days=62)).replace(day=1, hour=12, minute=0)
    campaign = cafe_campaign(personas.a)
    type(campaign).objects.filter(pk=campaign.pk).update(ends_at=first)
    text = client_for(personas.a).get(f"/campagnes/{campaign.slug}/").content.decode()
    assert f"1er{NBSP}" in text


def test_amounts_keep_their_figures_and_currency_together():
    assert format_cents(123456, "fr") == f"1{NNBSP}234,56{NBSP}€"
    assert format_cents(500, "de") == f"5{NBSP}€"
    assert format_cents(500, "en") == "€5"
