"""Failed sign-ins are limited per client address and per (address, account), never per account
alone: strangers failing to sign in as someone cannot lock them out of their account from
everywhere (settings.ACCOUNT_RATE_LIMITS, accounts.adapter)."""

from .helpers import logged_in_user_id

PASSWORD = "correct-horse-battery"  # tests/factories.py


def attempt(client, login, password, address):
    client.post("/comptes/login/", {"login": login, "password": password}, REMOTE_ADDR=address)
    return logged_in_user_id(client)


def test_failures_from_a_strangers_address_do_not_lock_the_owner_out_from_theirs(personas, client_for):
    alice = personas.a.admin
    stranger = client_for(personas.a)
    for _n in range(8):
        attempt(stranger, alice.email, "not-her-password", "203.0.113.9")
    owner = client_for(personas.a)
    assert attempt(owner, alice.email, PASSWORD, "198.51.100.7") == str(alice.pk)


def test_failures_for_one_account_from_one_address_stop_that_address(personas, client_for):
    alice = personas.a.admin
    client = client_for(personas.a)
    for _n in range(5):
        attempt(client, alice.email, "not-her-password", "203.0.113.9")
    assert attempt(client, alice.email, PASSWORD, "203.0.113.9") is None


def test_variants_of_one_e_mail_address_count_as_one_account(personas, client_for):
    alice = personas.a.admin
    local, domain = alice.email.split("@")
    variants = [alice.email.upper(), f"{local}+1@{domain}", f"{local[:2]}.{local[2:]}@{domain}", f"{local}+x@{domain}"]
    client = client_for(personas.a)
    for variant in [*variants, alice.email]:
        attempt(client, variant, "not-her-password", "203.0.113.9")
    assert attempt(client, alice.email, PASSWORD, "203.0.113.9") is None


def test_failures_from_one_address_across_accounts_stop_that_address_only(personas, client_for):
    client = client_for(personas.a)
    for n in range(10):
        attempt(client, f"guess{n}@example.org", "wrong-password", "203.0.113.9")
    assert attempt(client, personas.a.viewer.email, PASSWORD, "203.0.113.9") is None
    elsewhere = client_for(personas.a)
    assert attempt(elsewhere, personas.a.viewer.email, PASSWORD, "198.51.100.7") == str(personas.a.viewer.pk)
