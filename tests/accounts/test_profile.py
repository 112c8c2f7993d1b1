"""My account's profile: names, the commune and the phone number a person may give, the language
of their e-mails. Others on the mutual-aid network read only the first name and the commune."""

import pytest
from django.urls import reverse

from solidaire.accounts.models import User

from .helpers import translated

pytestmark = pytest.mark.django_db


def profile(**changes):
    return {"first_name": "Nadia", "last_name": "Benali", "commune_text": "", "phone": "", "language": "fr", **changes}


def test_a_person_gives_a_commune_and_a_phone_number(personas, client_for):
    dora = personas.a.donor
    client = client_for(personas.a, dora)
    response = client.post(reverse("accounts:my_account"), profile(commune_text="67482", phone="+33 6 12 34 56 78"))
    assert response.status_code == 302
    dora.refresh_from_db()
    assert (dora.commune_id, dora.phone, dora.first_name) == ("67482", "+33 6 12 34 56 78", "Nadia")
    assert dora.public_name == "Nadia (Strasbourg)"
    page = client.get(reverse("accounts:my_account")).content.decode()
    assert 'value="Strasbourg"' in page
    # Left empty: no commune any more.
    assert client.post(reverse("accounts:my_account"), profile()).status_code == 302
    assert User.objects.get(pk=dora.pk).commune_id is None


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"phone": "12 34"}, "Write a French phone number, such as 06 12 34 56 78."),
        ({"commune_text": "Zzzyx"}, "No commune matches. Type its name or postal code."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(personas, client_for, changes, error):
    dora = personas.a.donor
    response = client_for(personas.a, dora).post(reverse("accounts:my_account"), profile(**changes))
    assert response.status_code == 400
    assert translated(error) in response.content.decode()
    assert User.objects.get(pk=dora.pk).first_name != "Nadia"
