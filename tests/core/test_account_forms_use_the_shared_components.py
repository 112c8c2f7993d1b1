"""The account pages (allauth) draw their forms with the product's components: a `.field` per
field, the error summary first, each field's error next to it and tied to it (aria-describedby,
aria-invalid), the product's buttons."""

import re

import pytest

from ..accounts.helpers import page_text

pytestmark = pytest.mark.django_db

LOGIN = "/comptes/login/"


def tag(page: str, element: str, element_id: str) -> str:
    found = re.search(rf'<{element}\b[^>]*\bid="{element_id}"[^>]*>', page)
    assert found, f"no <{element} id={element_id}>"
    return found.group(0)


def field_block(page: str, input_id: str) -> str:
    """The `<div class="field…">` that holds the input `input_id`."""
    for block in re.findall(
        r'<div class="field[^"]*">.*?</div>\s*(?=<div class="field|<div class="actions")', page, re.S
    ):
        if f'id="{input_id}"' in block:
            return block
    raise AssertionError(f"{input_id} is not inside a .field block")


def test_the_login_page_draws_its_fields_and_button_with_the_shared_components(personas, client_for):
    page = page_text(client_for(personas.a).get(LOGIN))
    for input_id in ("id_login", "id_password"):
        block = field_block(page, input_id)
        assert f'<label for="{input_id}">' in block
    assert 'aria-describedby="id_password_helptext"' in tag(page, "input", "id_password")
    assert re.search(r'<button class="button"[^>]*type="submit"', page)
    assert "<p>" not in page.split('class="account-form"')[1].split("</form>")[0], "allauth's as_p layout"


def test_a_login_error_is_shown_next_to_its_field_and_tied_to_it(personas, client_for):
    response = client_for(personas.a).post(LOGIN, {"login": "not an address", "password": "secret-secret"})
    page = page_text(response)

    block = field_block(page, "id_login")
    assert 'class="field field-error"' in block
    assert 'id="id_login_error"' in block
    field = tag(page, "input", "id_login")
    assert 'aria-invalid="true"' in field
    assert "id_login_error" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
    # The summary at the top links to the field.
    assert 'class="error-summary"' in page and 'href="#id_login"' in page
    # The other field, without error, is not marked invalid.
    assert "aria-invalid" not in tag(page, "input", "id_password")


def test_the_signup_page_uses_the_same_components(personas, client_for):
    response = client_for(personas.a).post(
        "/comptes/signup/", {"email": "x@example.org", "password1": "a", "password2": "b"}
    )
    page = page_text(response)
    block = field_block(page, "id_password1")
    assert 'class="field field-error"' in block and 'id="id_password1_error"' in block
    assert 'aria-invalid="true"' in tag(page, "input", "id_password1")
