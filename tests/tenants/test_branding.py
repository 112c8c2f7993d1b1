"""The administrator brands the collectivité’s space (GET/POST /gestion/collectivite/)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from solidaire.audit.models import AuditEvent
from solidaire.tenants.forms import BrandingForm
from solidaire.tenants.validators import contrast_with_white

from ..accounts.helpers import image_bytes, page_text, translated

BRANDING = "/gestion/collectivite/"


def current_values(tenant) -> dict:
    """Every field of the branding form as the page would post it back."""
    form = BrandingForm(instance=tenant)
    data = {}
    for name, field in form.fields.items():
        if name == "logo":
            continue
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


@pytest.fixture
def post(personas, client_for):
    def go(user=None, side=None, **changes):
        side = side or personas.a
        data = current_values(side.tenant)
        data.update(changes)
        return client_for(side, user or side.admin).post(BRANDING, data)

    return go


def test_admin_sees_the_branding_form(personas, client_for):
    response = client_for(personas.a, personas.a.admin).get(BRANDING)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="main_colour"' in content
    assert 'enctype="multipart/form-data"' in content


def test_admin_changes_the_colour_and_the_theme_uses_it(personas, post, client_for):
    response = post(main_colour="#1f4e79")
    assert response.status_code == 302
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.main_colour == "#1f4e79"
    css = client_for(personas.a).get("/theme.css").content.decode()
    assert "--brand:#1f4e79" in css
    assert "#1f4e79" not in client_for(personas.b).get("/theme.css").content.decode()


def test_branding_change_is_recorded_in_the_audit_log(personas, post):
    post(main_colour="#1f4e79", contact_email="dons@grandest.example")
    event = AuditEvent.objects.get(action="tenant.branding_changed")
    assert event.collectivite == personas.a.tenant
    assert event.actor == personas.a.admin
    assert sorted(event.data["fields"]) == ["contact_email", "main_colour"]


def test_saving_without_changes_records_nothing(personas, post):
    assert post().status_code == 302
    assert not AuditEvent.objects.filter(action="tenant.branding_changed").exists()


@pytest.mark.parametrize("colour", ["#ffdd00", "#ffffff", "#777777"])
def test_too_light_colour_is_refused_with_a_clear_error_and_nothing_is_saved(personas, post, colour):
    before = personas.a.tenant.main_colour
    response = post(main_colour=colour, contact_email="changed@grandest.example")
    assert response.status_code == 200
    expected = translated(
        "White text on this colour has a contrast of %(ratio).1f:1; choose a darker colour (4.5:1 at least).",
        ratio=contrast_with_white(colour),
    )
    assert expected in page_text(response)
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.main_colour == before
    assert personas.a.tenant.contact_email != "changed@grandest.example"
    assert not AuditEvent.objects.filter(action="tenant.branding_changed").exists()


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "1f4e79", "#1f4e79;}body{display:none"])
def test_malformed_colour_is_refused(personas, post, colour):
    response = post(main_colour=colour)
    assert response.status_code == 200
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.main_colour == "#00597a"


def upload(name, content, content_type):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_logo(tenant):
    tenant.refresh_from_db()
    assert tenant.logo, "no logo stored"
    with tenant.logo.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_png_logo_is_accepted_and_scaled_down(personas, post):
    response = post(logo=upload("logo.png", image_bytes("PNG", size=(1200, 800)), "image/png"))
    assert response.status_code == 302
    image = stored_logo(personas.a.tenant)
    assert image.format == "PNG"
    assert max(image.size) == 600
    assert image.size == (600, 400)


def test_jpeg_logo_is_stored_without_its_exif_metadata(personas, post):
    original = image_bytes("JPEG", size=(2000, 1000), exif=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the upload does carry EXIF (make, GPS)
    response = post(logo=upload("photo.jpg", original, "image/jpeg"))
    assert response.status_code == 302
    image = stored_logo(personas.a.tenant)
    assert image.format == "JPEG"
    assert image.size == (600, 300)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info
    personas.a.tenant.refresh_from_db()
    with personas.a.tenant.logo.open("rb") as handle:
        raw = handle.read()
    assert b"SpyCam" not in raw


def test_small_logo_is_not_enlarged(personas, post):
    post(logo=upload("logo.png", image_bytes("PNG", size=(120, 80)), "image/png"))
    assert stored_logo(personas.a.tenant).size == (120, 80)


def test_logo_appears_in_the_header(personas, post, client_for):
    post(logo=upload("logo.png", image_bytes("PNG", size=(200, 200)), "image/png"))
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.logo.url in client_for(personas.a).get("/").content.decode()


def test_text_file_named_png_is_refused(personas, post):
    response = post(logo=upload("logo.png", b"this is not a picture\n" * 50, "image/png"))
    assert response.status_code == 200
    assert 'name="logo"' in response.content.decode()
    assert response.context["form"].errors["logo"]
    personas.a.tenant.refresh_from_db()
    assert not personas.a.tenant.logo


def test_svg_logo_is_refused(personas, post):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = post(logo=upload("logo.svg", svg, "image/svg+xml"))
    assert response.status_code == 200
    personas.a.tenant.refresh_from_db()
    assert not personas.a.tenant.logo


def test_gif_logo_is_refused_even_though_it_is_a_picture(personas, post):
    response = post(logo=upload("logo.gif", image_bytes("GIF", size=(50, 50)), "image/gif"))
    assert response.status_code == 200
    assert response.context["form"].errors["logo"]
    personas.a.tenant.refresh_from_db()
    assert not personas.a.tenant.logo


def test_too_large_file_is_refused(personas, post):
    picture = image_bytes("JPEG", size=(100, 100))
    padded = picture + b"\0" * (5 * 1024 * 1024 + 1 - len(picture))
    response = post(logo=upload("big.jpg", padded, "image/jpeg"))
    assert response.status_code == 200
    assert translated("The picture is larger than 5 MB.") in page_text(response)
    personas.a.tenant.refresh_from_db()
    assert not personas.a.tenant.logo


def test_refused_logo_keeps_the_previous_one(personas, post):
    post(logo=upload("logo.png", image_bytes("PNG", size=(100, 100)), "image/png"))
    personas.a.tenant.refresh_from_db()
    previous = personas.a.tenant.logo.name
    post(logo=upload("logo.png", b"not a picture", "image/png"))
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.logo.name == previous


@pytest.mark.parametrize("person", ["moderator", "finance", "viewer", "owner", "donor"])
def test_people_who_are_not_admins_get_403(personas, post, client_for, person):
    user = getattr(personas.a, person)
    assert client_for(personas.a, user).get(BRANDING).status_code == 403
    assert post(user=user, main_colour="#1f4e79").status_code == 403
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.main_colour == "#00597a"


def test_admin_of_another_collectivite_gets_403_and_changes_nothing(personas, post):
    assert post(user=personas.b.admin, main_colour="#1f4e79").status_code == 403
    personas.a.tenant.refresh_from_db()
    personas.b.tenant.refresh_from_db()
    assert personas.a.tenant.main_colour == personas.b.tenant.main_colour == "#00597a"


def test_anonymous_visitor_is_sent_to_the_login_page(personas, client_for):
    response = client_for(personas.a).post(BRANDING, {"main_colour": "#1f4e79"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.main_colour == "#00597a"


def test_branding_form_cannot_change_identity_or_territory(personas, post):
    """Name, SIREN, slug and territory belong to the platform operator."""
    communes = personas.a.tenant.communes.count()
    post(name="Pirate", siren="215704636", slug="pirate", is_active="", main_colour="#1f4e79")
    tenant = personas.a.tenant
    tenant.refresh_from_db()
    assert (tenant.name, tenant.siren, tenant.slug, tenant.is_active) == (
        "Région Grand Est",
        "200052264",
        "grand-est",
        True,
    )
    assert tenant.communes.count() == communes


def test_admin_sets_the_article_the_siret_and_the_retention_period(personas, post):
    """Issue 10 (18): the article French sentences use is the collectivité’s own setting; issue 11
    adds the SIRET published as grantor and how long donors' identity is kept."""
    response = post(article="la", siret="20005226400013", donor_retention_years="5")
    assert response.status_code == 302
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.article == "la"
    assert personas.a.tenant.siret == "20005226400013"
    assert personas.a.tenant.donor_retention_years == 5


@pytest.mark.parametrize(
    ("siret", "years"),
    [("21570463600012", "3"), ("20005226400014", "3"), ("20005226400013", "0"), ("20005226400013", "11")],
)
def test_a_siret_of_another_body_or_a_retention_out_of_range_is_refused(personas, post, siret, years):
    response = post(siret=siret, donor_retention_years=years)
    assert response.status_code == 200
    personas.a.tenant.refresh_from_db()
    assert personas.a.tenant.siret == ""
    assert personas.a.tenant.donor_retention_years == 3
