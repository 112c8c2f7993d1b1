"""Password resets are limited per mailbox, however its address is written (case, +tags, dots):
nobody floods one inbox with reset e-mails by writing its address in many ways."""

from .helpers import mails_to


def test_resets_for_variants_of_one_address_share_one_limit(personas, client_for, django_capture_on_commit_callbacks):
    victor = personas.a.viewer
    local, domain = victor.email.split("@")
    client = client_for(personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        for variant in [f"{local}+{n}@{domain}" for n in range(3)] + [
            f"{local[:1]}.{local[1:]}@{domain}",
            victor.email,
        ]:
            client.post("/comptes/password/reset/", {"email": variant})
        response = client.post("/comptes/password/reset/", {"email": victor.email})
    assert response.status_code == 200  # the form again, with the reason
    assert len(mails_to(victor.email)) == 1  # the fifth request's; the sixth sent nothing


def test_another_mailbox_may_still_ask(personas, client_for, django_capture_on_commit_callbacks):
    client = client_for(personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(6):
            client.post("/comptes/password/reset/", {"email": personas.a.viewer.email})
        response = client.post("/comptes/password/reset/", {"email": personas.a.admin.email})
    assert response.status_code == 302
    assert len(mails_to(personas.a.admin.email)) == 1
