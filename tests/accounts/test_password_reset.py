"""Forgotten password (/comptes/password/reset/): a link by e-mail, a new password, sign in."""

from django.core import mail

from solidaire.accounts.models import User

from .helpers import links_in, logged_in_user_id, mails_to, only_mail_to


def request_reset(client, email, capture):
    with capture(execute=True):
        return client.post("/comptes/password/reset/", {"email": email})


def reset_path(message, host):
    link = next(link for link in links_in(message) if "/password/reset/key/" in link)
    assert link.startswith(f"http://{host}/")
    return link.split(host, 1)[1]


def test_reset_email_is_sent_with_a_link_on_the_collectivites_site(
    personas, client_for, django_capture_on_commit_callbacks
):
    response = request_reset(client_for(personas.a), personas.a.viewer.email, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/password/reset/done/"
    reset_path(only_mail_to(personas.a.viewer.email), "grand-est.localhost")


def test_following_the_link_sets_a_new_password_that_signs_in(personas, client_for, django_capture_on_commit_callbacks):
    victor = personas.a.viewer
    client = client_for(personas.a)
    request_reset(client, victor.email, django_capture_on_commit_callbacks)
    response = client.get(reset_path(only_mail_to(victor.email), "grand-est.localhost"), follow=True)
    form_path = response.redirect_chain[-1][0]
    response = client.post(form_path, {"password1": "Nouvelle-phrase-longue", "password2": "Nouvelle-phrase-longue"})
    assert response.status_code == 302
    victor.refresh_from_db()
    assert victor.check_password("Nouvelle-phrase-longue")
    assert not victor.check_password("correct-horse-battery")

    other = client_for(personas.a)
    other.post("/comptes/login/", {"login": victor.email, "password": "Nouvelle-phrase-longue"})
    assert logged_in_user_id(other) == str(victor.pk)


def test_reset_link_works_only_once(personas, client_for, django_capture_on_commit_callbacks):
    victor = personas.a.viewer
    client = client_for(personas.a)
    request_reset(client, victor.email, django_capture_on_commit_callbacks)
    path = reset_path(only_mail_to(victor.email), "grand-est.localhost")
    form_path = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(form_path, {"password1": "Nouvelle-phrase-longue", "password2": "Nouvelle-phrase-longue"})
    again = client_for(personas.a)
    response = again.get(path)
    assert response.status_code == 200  # the "bad link" page, no redirect to the form
    assert 'name="password1"' not in response.content.decode()
    again.post(path, {"password1": "Encore-une-autre-phrase", "password2": "Encore-une-autre-phrase"})
    victor.refresh_from_db()
    assert victor.check_password("Nouvelle-phrase-longue")


def test_unknown_address_gets_no_reset_link_and_the_page_does_not_tell(
    personas, client_for, django_capture_on_commit_callbacks
):
    response = request_reset(client_for(personas.a), "nobody@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/password/reset/done/"
    for message in mails_to("nobody@example.org"):
        assert "/password/reset/key/" not in message.body
    assert not User.objects.filter(email="nobody@example.org").exists()


def test_reset_email_is_sent_in_the_language_of_the_page(personas, client_for, django_capture_on_commit_callbacks):
    victor = personas.a.viewer
    client = client_for(personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/comptes/password/reset/", {"email": victor.email})
    assert "/en/comptes/password/reset/key/" in reset_path(only_mail_to(victor.email), "grand-est.localhost")
    assert len(mail.outbox) == 1
