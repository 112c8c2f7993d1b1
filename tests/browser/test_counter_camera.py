"""Journey 4 with the phone’s camera: at the counter the owner taps "Scan with the camera", the
camera films the voucher’s QR code and the page opens that voucher, ready to redeem.

Chromium is started with a fake camera (`--use-fake-device-for-media-stream`) whose picture is
the voucher’s real QR code, written as a Y4M video. Debian's Chromium has no BarcodeDetector, so
this drives the jsQR fallback that Safari and Firefox use; a picture without a QR code, or with
another site’s address, opens nothing."""

import io

import pytest
import segno
from PIL import Image

from solidaire.vouchers import documents
from tests.beneficiaries.helpers import cafe_campaign
from tests.factories import DEFAULT_PASSWORD
from tests.gifts import approved_registration
from tests.vouchers.helpers import approved_offer, voucher_for

from .conftest import CHROMIUM, CHROMIUM_ARGS, BrowserPage

WIDTH, HEIGHT = 640, 480


def camera_video(path, text: str | None):
    """A one-frame Y4M video of `text` as a QR code (or of a blank wall), grey levels as luma."""
    frame = Image.new("L", (WIDTH, HEIGHT), 235)
    if text is not None:
        png = io.BytesIO()
        segno.make(text, error="m").save(png, kind="png", scale=8, border=4)
        code = Image.open(io.BytesIO(png.getvalue())).convert("L")
        code.thumbnail((HEIGHT - 40, HEIGHT - 40))
        frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


@pytest.fixture
def camera(chromium, live_server, tmp_path):
    """camera(text) → a function opening a page of A's site in a Chromium whose camera films `text`."""
    port = live_server.url.rsplit(":", 1)[1]
    browsers = []

    def with_camera(text, side):
        browser = chromium.browser_type.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={camera_video(tmp_path / f'camera{len(browsers)}.y4m', text)}",
            ],
        )
        browsers.append(browser)
        context = browser.new_context(locale="fr-FR", permissions=["camera"])
        context.set_default_timeout(15_000)
        return BrowserPage(context.new_page(), f"http://{side.host}:{port}")

    yield with_camera
    for browser in browsers:
        browser.close()


@pytest.fixture
def voucher(personas):
    cafe = approved_registration(cafe_campaign(personas.a), owner=personas.a.owner, name="Le Café des Arts")
    approved_offer(cafe, moderator=personas.a.moderator)
    return voucher_for(cafe, 1000)


def at_the_counter(page, user, establishment_id):
    page.goto("/comptes/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.follow(page.locator("main form button[type=submit]"))
    page.goto(f"/mon-espace/etablissements/{establishment_id}/caisse/")
    assert page.evaluate("'BarcodeDetector' in window") is False, "this Chromium decodes natively: jsQR is not tested"
    assert page.locator("#scanner").is_visible()


def test_the_camera_opens_the_filmed_voucher(personas, camera, voucher):
    establishment_id = voucher.registration.establishment_id
    page = camera(documents.scan_url(voucher), personas.a)
    at_the_counter(page, personas.a.owner, establishment_id)

    page.follow(page.get_by_role("button", name="Scanner avec la caméra"))

    assert page.path == f"/mon-espace/etablissements/{establishment_id}/caisse/bons/{voucher.pk}/"
    assert page.locator("#id_amount").is_visible()


@pytest.mark.parametrize("filmed", [None, "https://evil.example/comptes/login/", "un café offert"])
def test_a_picture_without_a_voucher_opens_nothing(personas, camera, voucher, filmed):
    page = camera(filmed, personas.a)
    at_the_counter(page, personas.a.owner, voucher.registration.establishment_id)
    counter = page.path

    page.get_by_role("button", name="Scanner avec la caméra").click()
    page.wait_for_function("() => window.jsQR && document.getElementById('scan-video').readyState >= 2")
    page.wait_for_timeout(1500)  # several frames read

    assert page.path == counter
    assert page.locator("#id_code").is_visible(), "typing the code is still possible"
