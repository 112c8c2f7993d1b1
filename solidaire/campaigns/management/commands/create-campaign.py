from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from solidaire.accounts.models import User
from solidaire.campaigns import actions
from solidaire.campaigns.choices import CampaignKind, Category, CounterpartPolicy, TerritoryScope
from solidaire.campaigns.forms import CampaignForm
from solidaire.core.errors import ActionError
from solidaire.core.management.base import require_valid
from solidaire.tenants.models import Collectivite

FLAGS = {
    "description": "--text",
    "starts_at": "--starts",
    "ends_at": "--ends",
    "registration_opens_at": "--registration-opens",
    "registration_closes_at": "--registration-closes",
    "territory_scope": "--territory",
    "categories": "--category",
    "min_gift_cents": "--min-gift",
    "max_gift_cents": "--max-gift",
    "suggested_gifts_cents": "--suggested",
    "matching_ratio_percent": "--ratio",
    "matching_budget_cents": "--budget",
    "beneficiary_cap_cents": "--cap-per-beneficiary",
    "donor_limit_cents": "--limit-per-donor",
    "counterpart_policy": "--counterparts",
    "title_en": "--title-en",
    "title_de": "--title-de",
    "summary_en": "--summary-en",
    "summary_de": "--summary-de",
    "description_en": "--text-en",
    "description_de": "--text-de",
}


class Command(BaseCommand):
    help = (
        "Create a campaign with every rule, checked exactly like the back-office form. Amounts are in "
        "euros ('5' or '5.50'); dates are YYYY-MM-DD or YYYY-MM-DDTHH:MM in the platform’s time zone."
    )

    def add_arguments(self, parser):
        add = parser.add_argument
        add("--tenant", required=True, help="short name (slug) of the collectivité")
        add("--title", required=True, help="title of the campaign")
        add("--slug", default="", help="web address (default: made from the title)")
        add("--kind", default=CampaignKind.BUSINESSES, choices=CampaignKind.values, help="type of campaign")
        add("--summary", required=True, help="one or two sentences shown in lists and when shared")
        add("--text", required=True, help="the campaign’s text")
        for code, language in (("en", "English"), ("de", "German")):
            add(f"--title-{code}", default="", help=f"title in {language} (optional: French is shown without it)")
            add(f"--summary-{code}", default="", help=f"summary in {language} (optional)")
            add(f"--text-{code}", default="", help=f"text in {language} (optional)")
        add("--starts", required=True, help="when gifts open")
        add("--ends", required=True, help="when gifts close")
        add("--registration-opens", required=True, help="when beneficiaries may start to register")
        add("--registration-closes", required=True, help="when registration closes (no later than --ends)")
        add(
            "--territory",
            default=TerritoryScope.ALL,
            choices=TerritoryScope.values,
            help="whole territory, some départements or some communes",
        )
        add("--departements", default="", help="département codes when --territory=departements, space-separated")
        add("--communes", default="", help="commune INSEE codes when --territory=communes, space-separated")
        add(
            "--category", action="append", choices=Category.values, required=True, help="eligible category (repeatable)"
        )
        add("--min-gift", required=True, help="minimum gift in euros")
        add("--max-gift", required=True, help="maximum gift in euros")
        add("--suggested", default="", help="suggested gifts in euros, separated by semicolons: '5;10'")
        add("--ratio", type=int, default=100, help="matching ratio in percent: 100 doubles each gift")
        add("--budget", required=True, help="total public budget in euros")
        add("--cap-per-beneficiary", default="", help="optional cap of public money per beneficiary, in euros")
        add("--limit-per-donor", default="", help="optional limit of matched gifts per donor, in euros")
        add(
            "--counterparts",
            default=CounterpartPolicy.OPTIONAL,
            choices=CounterpartPolicy.values,
            help="counterpart policy",
        )
        add("--publish", action="store_true", help="publish the campaign right away")
        add("--as", dest="actor", default="", help="e-mail of the team member recorded in the audit log")

    def handle(self, *args, **o):
        collectivite = Collectivite.objects.filter(slug=o["tenant"]).first()
        if collectivite is None:
            raise CommandError(f"no collectivité with the short name {o['tenant']!r}")
        actor = User.objects.filter(email__iexact=o["actor"]).first() if o["actor"] else None
        if o["actor"] and actor is None:
            raise CommandError(f"no user with the e-mail {o['actor']!r}")
        form = CampaignForm(
            collectivite=collectivite,
            data={
                "title": o["title"],
                "slug": o["slug"],
                "kind": o["kind"],
                "summary": o["summary"],
                "description": o["text"],
                "starts_at": o["starts"],
                "ends_at": o["ends"],
                "registration_opens_at": o["registration_opens"],
                "registration_closes_at": o["registration_closes"],
                "territory_scope": o["territory"],
                "departements": o["departements"].split(),
                "communes": o["communes"],
                "categories": o["category"],
                "min_gift_cents": o["min_gift"],
                "max_gift_cents": o["max_gift"],
                "suggested_gifts_cents": o["suggested"],
                "matching_ratio_percent": o["ratio"],
                "matching_budget_cents": o["budget"],
                "beneficiary_cap_cents": o["cap_per_beneficiary"],
                "donor_limit_cents": o["limit_per_donor"],
                "counterpart_policy": o["counterparts"],
                **{f"title_{code}": o[f"title_{code}"] for code in ("en", "de")},
                **{f"summary_{code}": o[f"summary_{code}"] for code in ("en", "de")},
                **{f"description_{code}": o[f"text_{code}"] for code in ("en", "de")},
            },
        )
        require_valid(form, FLAGS)
        try:
            with transaction.atomic():
                campaign = actions.save_campaign(
                    campaign=form.save(commit=False), territory=form.territory(), actor=actor
                )
                if o["publish"]:
                    campaign = actions.publish_campaign(campaign=campaign, actor=actor)
        except ActionError as exc:
            flag = FLAGS.get(exc.field or "", "--" + (exc.field or "error").replace("_", "-"))
            raise CommandError(f"{flag}: {exc.message}") from exc
        self.stdout.write(self.style.SUCCESS(f"Campaign {campaign.slug!r} created ({campaign.get_status_display()})."))
