"""On a phone (375×667), the directory's search box and the sign-in form are fingers' size:
fields and buttons at least 44 px high, their text at least 16 px (no zoom on focus)."""

from tests.beneficiaries.helpers import cafe_campaign

PHONE = {"width": 375, "height": 667}
MIN_TARGET = 44
MIN_TEXT = 16

MEASURE = """element => {
    const box = element.getBoundingClientRect();
    return {height: box.height, width: box.width, font: parseFloat(getComputedStyle(element).fontSize)};
}"""


def assert_finger_sized(page, selector):
    element = page.locator(selector)
    assert element.count() == 1, selector
    size = element.evaluate(MEASURE)
    assert size["height"] >= MIN_TARGET, f"{selector} is {size['height']} px high"
    assert size["font"] >= MIN_TEXT, f"{selector} has {size['font']} px text"


def test_the_directory_search_box_is_finger_sized_on_a_phone(personas, open_page):
    cafe_campaign(personas.a)
    page = open_page(personas.a, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/campagnes/cafe-solidaire/etablissements/")
    assert_finger_sized(page, "main input[type=search]#q")
    assert_finger_sized(page, "main form[role=search] button[type=submit]")


def test_the_sign_in_form_is_finger_sized_on_a_phone(personas, open_page):
    page = open_page(personas.a, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/comptes/login/")
    for selector in ("#id_login", "#id_password", "main form button[type=submit]"):
        assert_finger_sized(page, selector)
    remember = page.locator("label[for=id_remember]").evaluate(MEASURE)
    assert remember["height"] >= MIN_TARGET, "the checkbox's label is the finger's target"
