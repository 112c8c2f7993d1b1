"""`solidaire create-campaign`: scripted set-up with exactly the back office's checks. Every rule can
be given as a flag; an invalid flag is named in the error and nothing is created."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.campaigns.models import Campaign
from tests.factories import CampaignFactory, CollectiviteFactory

from .helpers import row_counts

pytestmark = pytest.mark.django_db


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def flags(**overrides) -> dict:
    options = {
        "tenant": "grand-est",
        "title": "Café Solidaire",
        "summary": "Soutenez les bars et cafés.",
        "text": "Chaque don est doublé par la Région.",
        "starts": day(1),
        "ends": day(31),
        "registration_opens": day(0),
        "registration_closes": day(21),
        "category": ["bar", "cafe"],
        "min_gift": "3",
        "max_gift": "10",
        "budget": "100000",
    }
    options.update(overrides)
    return options


def argv(options: dict) -> list[str]:
    args = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, list):
            for item in value:
                args += [flag, item]
        else:
            args += [flag, str(value)]
    return args


def run(**overrides) -> str:
    out = StringIO()
    call_command("create-campaign", *argv(flags(**overrides)), stdout=out)
    return out.getvalue()


def test_creates_a_draft_with_every_rule(personas):
    output = run(
        slug="cafe-2025",
        kind="businesses",
        territory="communes",
        communes="67482 68224",
        category=["bar", "cafe", "bar_tabac"],
        min_gift="3",
        max_gift="10,50",
        suggested="5;10",
        ratio="50",
        budget="100 000",
        cap_per_beneficiary="1500",
        limit_per_donor="30",
        counterparts="required",
        **{"as": personas.a.admin.email},
    )
    campaign = Campaign.objects.get()
    assert "cafe-2025" in output
    assert campaign.collectivite == personas.a.tenant
    assert campaign.status == "draft"
    assert campaign.created_by == personas.a.admin
    assert (campaign.min_gift_cents, campaign.max_gift_cents, campaign.suggested_gifts_cents) == (
        300,
        1050,
        [500, 1000],
    )
    assert (campaign.matching_ratio_percent, campaign.matching_budget_cents) == (50, 10_000_000)
    assert (campaign.beneficiary_cap_cents, campaign.donor_limit_cents) == (150_000, 3000)
    assert campaign.counterpart_policy == "required"
    assert campaign.categories == ["bar", "cafe", "bar_tabac"]
    assert sorted(campaign.communes.values_list("insee_code", flat=True)) == ["67482", "68224"]
    assert timezone.localtime(campaign.starts_at).date().isoformat() == day(1)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("campaign.created", personas.a.admin)


def test_creates_for_some_departements(personas):
    run(territory="departements", departements="67")
    campaign = Campaign.objects.get()
    assert list(campaign.departements.values_list("code", flat=True)) == ["67"]


def test_publish_flag_publishes_right_away(personas, client_for):
    run(publish=True)
    campaign = Campaign.objects.get()
    assert campaign.status == "published"
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == ["campaign.created", "campaign.published"]
    assert client_for(personas.a).get(f"/campagnes/{campaign.slug}/").status_code == 200


def test_without_an_author_the_log_says_system(personas):
    run()
    assert AuditEvent.objects.get().actor_label == "system"


INVALID = {
    "min-gift not an amount": ({"min_gift": "trois"}, "--min-gift"),
    "min-gift below 0,50 €": ({"min_gift": "0,10"}, "--min-gift"),
    "max-gift below min-gift": ({"max_gift": "2"}, "--max-gift"),
    "max-gift above 10 000 €": ({"max_gift": "10000,01"}, "--max-gift"),
    "suggested outside the bounds": ({"suggested": "5;50"}, "--suggested"),
    "suggested not amounts": ({"suggested": "cinq"}, "--suggested"),
    "ratio of zero": ({"ratio": "0"}, "--ratio"),
    "ratio above 1000": ({"ratio": "1001"}, "--ratio"),
    "ratio not a number": ({"ratio": "double"}, "--ratio"),
    "budget under 1 €": ({"budget": "0,99"}, "--budget"),
    "budget negative": ({"budget": "-100"}, "--budget"),
    "cap above the budget": ({"cap_per_beneficiary": "100001"}, "--cap-per-beneficiary"),
    "cap of zero": ({"cap_per_beneficiary": "0"}, "--cap-per-beneficiary"),
    "donor limit of zero": ({"limit_per_donor": "0"}, "--limit-per-donor"),
    "ends before it starts": ({"ends": day(0)}, "--ends"),
    "starts not a date": ({"starts": "demain"}, "--starts"),
    "registration closes after the gifts": ({"registration_closes": day(40)}, "--registration-closes"),
    "registration closes before it opens": ({"registration_opens": day(22)}, "--registration-closes"),
    "unknown category": ({"category": ["pharmacy"]}, "--category"),
    "unknown territory": ({"territory": "planet"}, "--territory"),
    "unknown counterpart policy": ({"counterparts": "maybe"}, "--counterparts"),
    "unknown kind": ({"kind": "charity"}, "--kind"),
    "départements missing": ({"territory": "departements"}, "--departements"),
    "département outside the territory": ({"territory": "departements", "departements": "57"}, "--departements"),
    "communes missing": ({"territory": "communes"}, "--communes"),
    "commune outside the territory": ({"territory": "communes", "communes": "57463"}, "--communes"),
    "commune code unknown": ({"territory": "communes", "communes": "99999"}, "--communes"),
    "slug not a slug": ({"slug": "café solidaire"}, "--slug"),
    "title empty": ({"title": ""}, "--title"),
    "unknown collectivité": ({"tenant": "atlantis"}, "atlantis"),
    "unknown author": ({"as": "nobody@example.org"}, "nobody@example.org"),
    "publishing after the closing date": (
        {
            "starts": day(-30),
            "ends": day(-1),
            "registration_opens": day(-40),
            "registration_closes": day(-2),
            "publish": True,
        },
        "--ends",
    ),
}


@pytest.mark.parametrize("overrides, named", INVALID.values(), ids=INVALID.keys())
def test_invalid_flag_is_named_in_the_error_and_nothing_is_created(personas, overrides, named):
    before = row_counts()
    with pytest.raises(CommandError) as refused:
        run(**overrides)
    assert named in str(refused.value)
    assert row_counts() == before


def test_every_broken_flag_is_listed_at_once(personas):
    with pytest.raises(CommandError) as refused:
        run(min_gift="0,10", budget="0,50", ratio="0")
    message = str(refused.value)
    assert {"--min-gift", "--budget", "--ratio"} <= set(re.findall(r"--[a-z-]+", message))


def test_web_address_used_in_the_collectivite_is_refused(personas):
    CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire")
    before = row_counts()
    with pytest.raises(CommandError, match="--slug"):
        run()
    assert row_counts() == before


def test_same_web_address_in_another_collectivite_is_fine(personas):
    CampaignFactory(collectivite=personas.b.tenant, slug="cafe-solidaire")
    run()
    assert Campaign.objects.filter(collectivite=personas.a.tenant, slug="cafe-solidaire").exists()


def test_publishing_a_territory_without_communes_is_refused_and_nothing_is_kept(personas):
    CollectiviteFactory(slug="vide", departements=[])
    with pytest.raises(CommandError, match="--territory"):
        run(tenant="vide", publish=True)
    assert not Campaign.objects.exists()


def test_help_documents_every_flag():
    command = load_command_class("solidaire.campaigns", "create-campaign")
    parser = command.create_parser("solidaire", "create-campaign")
    text = " ".join(parser.format_help().split())
    documented = {option for action in parser._actions if action.help for option in action.option_strings}
    for flag in (
        "--tenant --title --slug --kind --summary --text --starts --ends --registration-opens "
        "--registration-closes --territory --departements --communes --category --min-gift --max-gift "
        "--suggested --ratio --budget --cap-per-beneficiary --limit-per-donor --counterparts --publish --as"
    ).split():
        assert flag in documented, flag
        assert flag in text, flag
    assert "euros" in text
