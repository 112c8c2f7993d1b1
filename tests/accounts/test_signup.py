"""Creating an account (/comptes/signup/): the address must be verified before signing in; the
verification e-mail goes through the background task queue."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from solidaire.accounts.models import User
from solidaire.core import emails

from .helpers import links_in, logged_in_user_id, only_mail_to

PASSWORD = "Une-phrase-de-passe-solide"


@pytest.fixture
def task_calls(monkeypatch):
    """Every e-mail handed to the Celery task (which runs eagerly in tests)."""
    calls = []
    original = emails.send_email

    class Spy:
        def delay(self, message):
            calls.append(message)
            return original.delay(message)

    monkeypatch.setattr(emails, "send_email", Spy())
    return calls


@pytest.fixture
def sign_up(personas, client_for, django_capture_on_commit_callbacks):
    def go(email="newcomer@example.org", path="/comptes/signup/", client=None, **extra):
        client = client or client_for(personas.a)
        data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        data.update(extra)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, data)
        return client, response

    return go


def confirm_path(message) -> str:
    link = next(link for link in links_in(message) if "/confirm-email/" in link)
    return link.split("grand-est.localhost", 1)[1]


def test_sign_up_sends_a_verification_email_through_the_task_queue(sign_up, task_calls):
    client, response = sign_up()
    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    user = User.objects.get(email="newcomer@example.org")
    assert EmailAddress.objects.get(user=user).verified is False
    message = only_mail_to("newcomer@example.org")
    assert [call["to"] for call in task_calls] == [["newcomer@example.org"]]
    assert task_calls[0]["subject"] == message.subject
    assert confirm_path(message).startswith("/comptes/confirm-email/")
    assert logged_in_user_id(client) is None


def test_verification_email_waits_for_the_transaction_to_commit(personas, client_for, task_calls):
    client_for(personas.a).post(
        "/comptes/signup/", {"email": "newcomer@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    # The test's transaction never commits, so nothing was queued.
    assert task_calls == []
    assert mail.outbox == []


def test_sign_in_is_refused_until_the_address_is_verified(personas, client_for, sign_up):
    sign_up()
    mail.outbox.clear()
    client = client_for(personas.a)
    response = client.post("/comptes/login/", {"login": "newcomer@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    assert logged_in_user_id(client) is None
    assert client.get("/mon-compte/").status_code == 302


def test_following_the_verification_link_verifies_and_signs_in(sign_up):
    client, _ = sign_up()
    path = confirm_path(only_mail_to("newcomer@example.org"))
    assert client.get(path).status_code == 200  # a confirmation page, not a change on GET
    assert EmailAddress.objects.get(email="newcomer@example.org").verified is False
    response = client.post(path)
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert EmailAddress.objects.get(user=user).verified is True
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get("/mon-compte/").status_code == 200


def test_verified_newcomer_can_sign_in_later_with_email_and_password(personas, client_for, sign_up):
    client, _ = sign_up()
    client.post(confirm_path(only_mail_to("newcomer@example.org")))
    other = client_for(personas.a)
    response = other.post("/comptes/login/", {"login": "newcomer@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(other) == str(User.objects.get(email="newcomer@example.org").pk)


def test_new_account_keeps_the_language_it_was_created_in(sign_up):
    sign_up(path="/de/comptes/signup/")
    user = User.objects.get(email="newcomer@example.org")
    assert user.language == "de"
    message = only_mail_to("newcomer@example.org")
    assert "/de/comptes/confirm-email/" in confirm_path(message)


def test_account_is_not_tied_to_the_collectivite_where_it_was_created(personas, sign_up):
    sign_up()
    user = User.objects.get(email="newcomer@example.org")
    assert not user.memberships.exists()


def test_address_already_used_creates_no_second_account_and_does_not_reveal_it(personas, sign_up):
    otto = personas.outsider
    _, response = sign_up(email=otto.email.upper())
    # Same answer as a real sign-up, so the page does not tell who has an account...
    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    assert User.objects.filter(email__iexact=otto.email).count() == 1
    otto.refresh_from_db()
    assert otto.check_password("correct-horse-battery")
    # ...and the owner of the address is told, without a verification link.
    message = only_mail_to(otto.email)
    assert not any("/confirm-email/" in link for link in links_in(message))


@pytest.mark.parametrize(
    "extra",
    [{"password2": "autre-chose-encore"}, {"password1": "court", "password2": "court"}, {"email": "pas-une-adresse"}],
    ids=["passwords-differ", "password-too-short", "email-invalid"],
)
def test_invalid_sign_up_creates_no_account_and_sends_nothing(sign_up, extra):
    _, response = sign_up(**extra)
    assert response.status_code == 200
    assert User.objects.filter(email="newcomer@example.org").count() == 0
    assert mail.outbox == []


def test_a_resident_may_give_a_first_name_and_a_phone_number_only_the_address_is_required(sign_up):
    _client, response = sign_up(email="nadia@example.org", first_name="Nadia", phone="06.12.34.56.78")
    assert response.status_code == 302
    nadia = User.objects.get(email="nadia@example.org")
    assert (nadia.first_name, nadia.phone) == ("Nadia", "06.12.34.56.78")
    _client, response = sign_up(email="sans.telephone@example.org")
    assert response.status_code == 302
    assert User.objects.get(email="sans.telephone@example.org").phone == ""


def test_a_phone_number_that_is_not_one_is_refused_and_no_account_is_made(sign_up):
    _client, response = sign_up(email="faux@example.org", phone="12345")
    assert response.status_code == 200
    assert not User.objects.filter(email="faux@example.org").exists()
