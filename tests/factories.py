"""factory_boy factories for the product's models. Campaign dates are relative to now so that a
fresh campaign is open for gifts and registration."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from stdnum import luhn

from solidaire.accounts.models import Membership, User
from solidaire.campaigns.models import Campaign
from solidaire.geo.models import Commune
from solidaire.tenants.models import Collectivite

DEFAULT_PASSWORD = "correct-horse-battery"


def valid_siren(n: int) -> str:
    """A SIREN with a correct Luhn check digit, made from an 8-digit number."""
    base = f"{n:08d}"
    return base + luhn.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    language = "fr"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class CollectiviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collectivite
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"collectivite-{n}")
    kind = "region"
    name = factory.Sequence(lambda n: f"Collectivité {n}")
    siren = factory.Sequence(lambda n: valid_siren(10_000_000 + n))
    insee_code = "44"

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        """Territory: the communes of these département codes (default: Bas-Rhin and Haut-Rhin)."""
        if create:
            codes = extracted if extracted is not None else ["67", "68"]
            self.communes.set(Commune.objects.filter(departement__in=codes))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    collectivite = factory.SubFactory(CollectiviteFactory)
    role = "admin"


def _now():
    return timezone.now().replace(second=0, microsecond=0)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    collectivite = factory.SubFactory(CollectiviteFactory)
    slug = factory.Sequence(lambda n: f"campagne-{n}")
    kind = "businesses"
    title = factory.Sequence(lambda n: f"Campagne {n}")
    summary = "Soutenez les cafés de votre commune."
    description = "Chaque don est doublé par la collectivité."
    starts_at = factory.LazyFunction(lambda: _now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: _now() + timedelta(days=30))
    registration_opens_at = factory.LazyFunction(lambda: _now() - timedelta(days=7))
    registration_closes_at = factory.LazyFunction(lambda: _now() + timedelta(days=20))
    territory_scope = "all"
    categories = factory.LazyFunction(lambda: ["bar", "cafe"])
    min_gift_cents = 300
    max_gift_cents = 1000
    suggested_gifts_cents = factory.LazyFunction(lambda: [500, 1000])
    matching_ratio_percent = 100
    matching_budget_cents = 10_000_000
    counterpart_policy = "optional"
    status = "published"
    published_at = factory.LazyFunction(_now)

    @factory.post_generation
    def pools(self, create, extracted, **kwargs):
        """The public budget's pools, as saving a campaign through its write path makes them."""
        if create:
            from solidaire.matching.engine import sync_pools

            sync_pools(self)
