"""Every row lock names the rows it means to lock. On PostgreSQL, SELECT … FOR UPDATE locks a row
of every table the query reads — joined ones included — unless FOR UPDATE OF says which. A lock
taken by accident on a registration, a campaign or a collectivité makes unrelated work wait (a
refund behind a moderator) and can close a cycle of waits: a deadlock. So the main write paths
are run here and each locking statement they send is read: either it joins nothing, or it says
FOR UPDATE OF its own table, and that one only."""

import re
import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from solidaire.accounts import actions as team
from solidaire.accounts.models import Invitation, Membership, hash_token
from solidaire.beneficiaries import actions as moderation
from solidaire.campaigns import actions as campaigns
from solidaire.vouchers import actions as vouchers

from .beneficiaries.helpers import EstablishmentFactory, RegistrationFactory
from .donations.helpers import decide_dispute, open_dispute, refund
from .factories import CampaignFactory
from .gifts import approved_registration, give
from .vouchers.helpers import approved_offer, propose, redeem


def on_postgresql(test):
    """The write paths run on PostgreSQL only (SQLite has no row locks); the reading of the SQL
    below is checked everywhere."""
    needs = pytest.mark.skipif(connection.vendor != "postgresql", reason="FOR UPDATE is PostgreSQL's")
    return pytest.mark.postgres(pytest.mark.django_db(needs(test)))


LITERAL = re.compile(r"'(?:[^']|'')*'")
NESTED = re.compile(r"\([^()]*\)")
MAIN_TABLE = re.compile(r'\bFROM "(\w+)"')
LOCK = re.compile(r"\bFOR (?:NO KEY )?UPDATE\b(?: OF (?P<of>.+?))?(?: NOWAIT| SKIP LOCKED)?\s*$")


def outer(sql: str) -> str:
    """The statement without its literals and what is in brackets (sub-queries, lists): what
    FOR UPDATE applies to."""
    sql = LITERAL.sub("''", sql)
    while True:
        flat = NESTED.sub("", sql)
        if flat == sql:
            return flat
        sql = flat


def locked_tables(captured) -> list[str]:
    """The table each locking statement means to lock, checking on the way that it locks that
    one only: no join, or FOR UPDATE OF naming it alone."""
    tables = []
    for query in captured:
        sql = outer(query["sql"])
        lock = LOCK.search(sql)
        if lock is None:
            continue
        table = MAIN_TABLE.search(sql).group(1)
        named = re.findall(r'"(\w+)"', lock.group("of") or "")
        if " JOIN " in sql:
            assert named == [table], f"locks the rows of every joined table, not only {table}:\n{query['sql']}"
        else:
            assert named in ([], [table]), query["sql"]
        tables.append(table)
    return tables


def locks_of(work) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        work()
    return set(locked_tables(queries.captured_queries))


@pytest.fixture
def campaign(personas):
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", title="Café Solidaire")


@pytest.fixture
def cafe(personas, campaign):
    """Oscar's café, approved, with a voucher worth the gift + 20 % for each donor."""
    registration = approved_registration(campaign, owner=personas.a.owner, name="Café de la Gare")
    approved_offer(registration, personas.a.moderator)
    return registration


@pytest.fixture
def gift(cafe):
    return give(cafe, 1000, email="dora@example.org")


# Money ------------------------------------------------------------------------------------------


@on_postgresql
def test_confirming_a_gift_locks_only_the_rows_it_changes(cafe):
    locked = locks_of(lambda: give(cafe, 1000, email="dora@example.org"))
    assert {"donations_gift", "beneficiaries_registration"} <= locked


@on_postgresql
def test_refunding_a_gift_locks_only_the_rows_it_changes(personas, gift):
    locked = locks_of(lambda: refund(gift, actor=personas.a.finance))
    assert gift.status == "refunded"
    assert {"donations_gift", "vouchers_voucher"} <= locked


@on_postgresql
@pytest.mark.parametrize("won", [True, False], ids=["won", "lost"])
def test_a_dispute_locks_only_the_rows_it_changes(gift, won):
    locked = locks_of(lambda: decide_dispute(open_dispute(gift), won=won))
    assert gift.status == ("confirmed" if won else "charged_back")
    assert {"donations_gift", "vouchers_voucher"} <= locked


# The counter ------------------------------------------------------------------------------------


@on_postgresql
def test_redeeming_and_undoing_at_the_counter_lock_only_the_voucher_and_the_redemption(personas, gift):
    owner = personas.a.owner
    establishment = gift.voucher.registration.establishment
    redeemed = locks_of(lambda: redeem(gift.voucher, owner))
    redemption = gift.voucher.redemptions.get()
    undone = locks_of(lambda: vouchers.undo(redemption=redemption, establishment=establishment, actor=owner))
    assert redeemed == {"vouchers_voucher"}
    assert undone == {"vouchers_redemption", "vouchers_voucher"}


# Moderation -------------------------------------------------------------------------------------


@on_postgresql
@pytest.mark.parametrize("approve", [True, False], ids=["approved", "rejected"])
def test_deciding_an_offer_locks_only_the_offer(personas, cafe, approve):
    offer = propose(cafe, bonus_percent=50)
    moderator = personas.a.moderator
    locked = locks_of(
        lambda: vouchers.decide_offer(offer=offer, moderator=moderator, approve=approve, message="Non merci.")
    )
    assert locked == {"vouchers_offer"}


@on_postgresql
def test_deciding_a_registration_locks_only_the_registration(personas, campaign):
    pending = [
        RegistrationFactory(
            campaign=campaign,
            establishment=EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner),
            status="pending",
        )
        for _ in range(3)
    ]
    moderator = personas.a.moderator
    locked = locks_of(lambda: moderation.approve(registration=pending[0], moderator=moderator))
    locked |= locks_of(lambda: moderation.reject(registration=pending[1], moderator=moderator, reason="Hors zone."))
    locked |= locks_of(
        lambda: moderation.request_changes(registration=pending[2], moderator=moderator, message="La photo ?")
    )
    assert locked == {"beneficiaries_registration"}


@on_postgresql
def test_publishing_and_closing_a_campaign_lock_only_the_campaign(personas):
    draft = CampaignFactory(collectivite=personas.a.tenant, status="draft", published_at=None)
    admin = personas.a.admin
    locked = locks_of(lambda: campaigns.publish_campaign(campaign=draft, actor=admin))
    locked |= locks_of(lambda: campaigns.close_campaign(campaign=draft, actor=admin))
    assert locked == {"campaigns_campaign"}


# The team ---------------------------------------------------------------------------------------


@on_postgresql
def test_team_changes_lock_the_collectivite_and_the_membership_only(personas):
    admin, tenant = personas.a.admin, personas.a.tenant
    viewer = Membership.objects.get(user=personas.a.viewer, collectivite=tenant)
    finance = Membership.objects.get(user=personas.a.finance, collectivite=tenant)
    locked = locks_of(lambda: team.change_role(membership=viewer, role="moderator", actor=admin))
    locked |= locks_of(lambda: team.revoke_membership(membership=finance, actor=admin))
    assert locked == {"tenants_collectivite", "accounts_membership"}


@on_postgresql
def test_accepting_an_invitation_locks_only_the_invitation(personas):
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        collectivite=personas.a.tenant,
        email=personas.outsider.email,
        role="viewer",
        token_hash=hash_token(token),
        invited_by=personas.a.admin,
        expires_at=timezone.now() + timedelta(days=7),
    )
    locked = locks_of(lambda: team.accept_invitation(token=token, user=personas.outsider))
    assert locked == {"accounts_invitation"}


# The reading itself -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('SELECT "a"."id" FROM "a" WHERE "a"."id" = 1 FOR UPDATE', "a"),
        ('SELECT "a"."id" FROM "a" INNER JOIN "b" ON ("a"."b_id" = "b"."id") FOR UPDATE OF "a"', "a"),
        ('SELECT "a"."id" FROM "a" WHERE "a"."id" IN (SELECT "x" FROM "c" INNER JOIN "d" ON (1)) FOR UPDATE', "a"),
        ('SELECT "a"."id" FROM "a" ORDER BY "a"."i" FOR UPDATE SKIP LOCKED', "a"),
    ],
    ids=["alone", "joined, OF itself", "a join in a sub-query", "skip locked"],
)
def test_a_lock_of_its_own_rows_passes(sql, table):
    assert locked_tables([{"sql": sql}]) == [table]


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "a"."id" FROM "a" INNER JOIN "b" ON ("a"."b_id" = "b"."id") FOR UPDATE',
        'SELECT "a"."id" FROM "a" LEFT OUTER JOIN "b" ON ("a"."b_id" = "b"."id") FOR UPDATE OF "a", "b"',
        'SELECT "a"."id" FROM "a" INNER JOIN "b" ON ("a"."b_id" = "b"."id") FOR UPDATE OF "b"',
    ],
    ids=["joined, no OF", "OF both", "OF the other"],
)
def test_a_lock_taken_on_joined_rows_is_caught(sql):
    with pytest.raises(AssertionError):
        locked_tables([{"sql": sql}])
