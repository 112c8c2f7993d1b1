"""The migration that ends the free-text counterpart of registrations: each text becomes the note
of the registration's approved (or pending) offer; a registration with a text and no offer gets a
pending "named item" offer carrying it, for a moderator to decide. Nothing the owner wrote is lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ..gifts import approved_registration
from .helpers import cafe_campaign

BEFORE = [("vouchers", "0002_frozen_and_withdrawn"), ("beneficiaries", "0005_payouts_suspension")]
AFTER = [
    ("vouchers", "0003_offer_note_replaces_free_text_counterpart"),
    ("beneficiaries", "0006_description_translations_counterpart_moved_to_offer"),
]


@pytest.mark.django_db(transaction=True)
def test_existing_free_texts_become_the_notes_of_offers(personas):
    campaign = cafe_campaign(personas.a)
    with_offer = approved_registration(campaign, name="Café de la Gare")
    without_offer = approved_registration(campaign, name="Bar du Marché")
    silent = approved_registration(campaign, name="Le Zinc")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Registration, Offer = old.get_model("beneficiaries", "Registration"), old.get_model("vouchers", "Offer")
    Registration.objects.filter(pk=with_offer.pk).update(counterpart="Un bon + 20 %, à bientôt !")
    Registration.objects.filter(pk=without_offer.pk).update(counterpart="Un café offert\nà la réouverture.")
    Offer.objects.create(registration_id=with_offer.pk, kind="value", status="approved", validity_days=180)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    from solidaire.vouchers.models import Offer as CurrentOffer

    [kept] = CurrentOffer.objects.filter(registration=with_offer)
    assert (kept.status, kept.kind, kept.note) == ("approved", "value", "Un bon + 20 %, à bientôt !")
    [proposed] = CurrentOffer.objects.filter(registration=without_offer)
    assert (proposed.status, proposed.kind, proposed.item_label) == ("pending", "item", "Un café offert")
    assert proposed.note == "Un café offert\nà la réouverture."
    assert not CurrentOffer.objects.filter(registration=silent).exists()
