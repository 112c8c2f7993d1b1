"""Journey 1 in a real browser: the Région Grand Est admin signs in, creates and publishes a
campaign, and the public sees it in French, English and German."""

from datetime import timedelta

from django.utils import timezone

from solidaire.campaigns.models import Campaign
from solidaire.core.money import format_cents
from tests.factories import DEFAULT_PASSWORD

TITLE = "Café Solidaire"


def _local(delta: timedelta) -> str:
    """A datetime-local input value, in the site’s time zone."""
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def sign_in(page, user):
    page.goto("/comptes/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.follow(page.locator("main form button[type=submit]"))


def open_campaign_form(page):
    page.follow(page.locator(".main-nav a[href$='/gestion/']"))
    page.follow(page.locator("main a[href$='/gestion/campagnes/nouvelle/']"))


def fill_campaign_form(page, *, min_gift="3", max_gift="10"):
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "Vos cafés ferment : la Région double chaque don de 3 à 10 €.")
    page.fill("#id_description", "Choisissez un bar ou un café, donnez, la Région ajoute autant.")
    page.fill("#id_starts_at", _local(timedelta(minutes=-5)))
    page.fill("#id_ends_at", _local(timedelta(days=30)))
    page.fill("#id_registration_opens_at", _local(timedelta(days=-1)))
    page.fill("#id_registration_closes_at", _local(timedelta(days=20)))
    page.check("input[name=territory_scope][value=all]")
    page.check("input[name=categories][value=bar]")
    page.check("input[name=categories][value=cafe]")
    page.fill("#id_min_gift_cents", min_gift)
    page.fill("#id_max_gift_cents", max_gift)
    page.fill("#id_suggested_gifts_cents", "5 ; 10")
    page.fill("#id_matching_ratio_percent", "100")
    page.fill("#id_matching_budget_cents", "100000")
    page.check("input[name=counterpart_policy][value=optional]")


def switch_language(page, code: str):
    page.follow(page.locator(f".language-switcher a[hreflang={code}]"))


def test_admin_creates_and_publishes_a_campaign_and_the_public_sees_it(personas, open_page):
    admin = open_page(personas.a)
    sign_in(admin, personas.a.admin)
    open_campaign_form(admin)
    fill_campaign_form(admin)
    admin.follow(admin.locator("form.campaign-form button[type=submit]"))
    assert admin.path == "/gestion/campagnes/cafe-solidaire/"
    admin.follow(admin.locator("form[action$='/publier/'] button[type=submit]"))
    assert admin.locator(".phase-open").is_visible()

    public = open_page(personas.a)
    public.goto("/")
    public.follow(public.get_by_role("link", name=TITLE))
    assert public.path == "/campagnes/cafe-solidaire/"
    assert public.locator("h1").inner_text() == TITLE
    rules = public.locator("dl.rules").inner_text()
    assert format_cents(300, "fr") in rules and format_cents(1000, "fr") in rules
    assert format_cents(10_000_000, "fr") in rules
    assert public.locator("html").get_attribute("lang") == "fr"

    for code in ("en", "de"):
        switch_language(public, code)
        assert public.locator("html").get_attribute("lang") == code
        assert public.path == f"/{code}/campagnes/cafe-solidaire/"
        assert public.locator("h1").inner_text() == TITLE
        assert format_cents(300, code) in public.locator("dl.rules").inner_text()

    switch_language(public, "fr")
    assert public.locator("html").get_attribute("lang") == "fr"
    assert public.path == "/campagnes/cafe-solidaire/"


def test_a_maximum_gift_below_the_minimum_is_refused_with_an_error_summary(personas, open_page):
    admin = open_page(personas.a)
    sign_in(admin, personas.a.admin)
    open_campaign_form(admin)
    fill_campaign_form(admin, min_gift="10", max_gift="3")
    admin.follow(admin.locator("form.campaign-form button[type=submit]"))

    summary = admin.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator("a[href='#id_max_gift_cents']").count() == 1
    assert admin.path == "/gestion/campagnes/nouvelle/"
    assert not Campaign.objects.exists()
