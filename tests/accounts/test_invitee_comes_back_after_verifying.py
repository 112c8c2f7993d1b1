"""Someone invited who has no account signs up from the invitation's page, must verify their
address (ACCOUNT_EMAIL_VERIFICATION = mandatory), and is brought back to the acceptance page by
itself: in the same browser, and when they open the verification e-mail in another one (the
e-mail's link leads there, and so does their next sign-in)."""

import pytest

from solidaire.accounts import actions
from solidaire.accounts.models import Membership

from .helpers import links_in, logged_in_user_id, mails_to, only_mail_to

PASSWORD = "Une-phrase-de-passe"
EMAIL = "newcomer@example.org"


def path_of(link: str) -> str:
    return link.split("grand-est.localhost", 1)[1]


@pytest.fixture
def invitation_path(personas, django_capture_on_commit_callbacks):
    """The path of the acceptance page e-mailed to a newcomer invited to Grand Est's team."""
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_member(collectivite=personas.a.tenant, email=EMAIL, role="viewer", actor=personas.a.admin)
    [link] = [link for link in links_in(only_mail_to(EMAIL)) if "/invitation/" in link]
    return path_of(link)


@pytest.fixture
def signed_up(personas, client_for, invitation_path, django_capture_on_commit_callbacks):
    """The newcomer opens the invitation, follows "Create an account" and signs up: returns their
    browser and the path of the verification e-mail's link."""
    browser = client_for(personas.a)
    page = browser.get(invitation_path).content.decode()
    signup = f"/comptes/signup/?next={invitation_path}"
    assert signup in page
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(signup, {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and logged_in_user_id(browser) is None
    [verification] = [m for m in mails_to(EMAIL) if "/confirm-email/" in m.body]
    [confirm] = [link for link in links_in(verification) if "/confirm-email/" in link]
    return browser, path_of(confirm)


def joined() -> bool:
    return Membership.objects.filter(user__email=EMAIL, role="viewer").exists()


def test_verifying_in_the_same_browser_lands_on_the_acceptance_page(signed_up, invitation_path):
    browser, confirm = signed_up
    response = browser.post(confirm)
    assert response.status_code == 302 and response["Location"] == invitation_path
    assert logged_in_user_id(browser) is not None
    assert 'method="post"' in browser.get(invitation_path).content.decode()
    assert browser.post(invitation_path).status_code == 302
    assert joined()


def test_the_verification_link_leads_to_the_acceptance_page_in_another_browser(
    personas, client_for, signed_up, invitation_path
):
    """Opened on a phone: the link carries where the sign-up was going."""
    _browser, confirm = signed_up
    assert f"?next={invitation_path}" in confirm
    phone = client_for(personas.a)
    assert phone.get(confirm).status_code == 200
    response = phone.post(confirm)
    assert response.status_code == 302 and response["Location"] == invitation_path
    assert logged_in_user_id(phone) is None  # only the browser that signed up is signed in by the link
    page = phone.get(invitation_path).content.decode()
    login = f"/comptes/login/?next={invitation_path}"
    assert login in page
    response = phone.post(login, {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == invitation_path
    assert phone.post(invitation_path).status_code == 302
    assert joined()


def test_signing_in_again_in_the_first_browser_comes_back_to_the_invitation(
    personas, client_for, signed_up, invitation_path
):
    """Verified on the phone, then signing in on the computer from the home page: the computer
    remembers the invitation it was showing."""
    browser, confirm = signed_up
    client_for(personas.a).post(confirm)
    response = browser.post("/comptes/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == invitation_path
    assert browser.post(invitation_path).status_code == 302
    assert joined()
    # Accepted: the next sign-in goes where it always does.
    browser.logout()
    assert browser.post("/comptes/login/", {"login": EMAIL, "password": PASSWORD})["Location"] != invitation_path


def test_a_sign_up_without_an_invitation_is_not_sent_to_one(personas, client_for, django_capture_on_commit_callbacks):
    browser = client_for(personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post("/comptes/signup/", {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    [confirm] = [link for link in links_in(only_mail_to(EMAIL)) if "/confirm-email/" in link]
    assert "next=" not in confirm
    assert "/invitation/" not in browser.post(path_of(confirm))["Location"]
