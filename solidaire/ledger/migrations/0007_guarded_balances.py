"""PostgreSQL: the never-negative guard of migration 0005 summed, at each commit, the whole history
of every beneficiary account the transaction posted to — a few postings at first, thousands for a
popular café by the end of a campaign (30 ms a sum at 6,000 postings, three sums a confirmation).
A trigger now keeps each such account's running balance in `ledger_guarded_balance` as postings are
inserted, and the deferred check reads that one row. The upsert locks the row until commit, so two
transactions drawing on one account are checked one after the other (with sums, each could miss
the other's uncommitted postings). Filled here from the postings already there."""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

GUARDED_KINDS = (
    "beneficiary_gifts",
    "beneficiary_matching",
    "frozen_gifts",
    "frozen_matching",
    "in_batch_gifts",
    "in_batch_matching",
    "beneficiary_recoverable",
)
KINDS = ", ".join(f"'{kind}'" for kind in GUARDED_KINDS)

CREATE = f"""
INSERT INTO ledger_guarded_balance (account_id, balance_cents)
    SELECT p.account_id, SUM(p.amount_cents) FROM ledger_posting p
      JOIN ledger_account a ON a.id = p.account_id
     WHERE a.kind IN ({KINDS}) GROUP BY p.account_id;

CREATE OR REPLACE FUNCTION ledger_track_beneficiary_balance() RETURNS trigger AS $$
BEGIN
    IF (SELECT kind FROM ledger_account WHERE id = NEW.account_id) IN ({KINDS}) THEN
        INSERT INTO ledger_guarded_balance AS b (account_id, balance_cents) VALUES (NEW.account_id, NEW.amount_cents)
            ON CONFLICT (account_id) DO UPDATE SET balance_cents = b.balance_cents + EXCLUDED.balance_cents;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_beneficiary_running_balance
    AFTER INSERT ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_track_beneficiary_balance();

CREATE OR REPLACE FUNCTION ledger_check_beneficiary_balance() RETURNS trigger AS $$
DECLARE
    account_kind text;
    total bigint;
BEGIN
    SELECT a.kind, b.balance_cents INTO account_kind, total
      FROM ledger_account a LEFT JOIN ledger_guarded_balance b ON b.account_id = a.id
     WHERE a.id = NEW.account_id;
    IF account_kind = 'beneficiary_recoverable' THEN
        IF total < 0 THEN
            RAISE EXCEPTION 'account % (recoverable) would be owed % by the platform', NEW.account_id, -total
                  USING ERRCODE = 'check_violation';
        END IF;
    ELSIF account_kind IN ({KINDS}) AND total > 0 THEN
        RAISE EXCEPTION 'account % (%) would have a beneficiary owe %', NEW.account_id, account_kind, total
              USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_beneficiary_running_balance ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_track_beneficiary_balance();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        summing = import_module("solidaire.ledger.migrations.0005_beneficiary_balances_never_negative")
        schema_editor.execute(summing.CREATE.split("CREATE CONSTRAINT TRIGGER", 1)[0], params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_payout_accounts")]

    operations = [
        migrations.CreateModel(
            name="GuardedBalance",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="ledger.account",
                    ),
                ),
                ("balance_cents", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "guarded balance",
                "verbose_name_plural": "guarded balances",
                "db_table": "ledger_guarded_balance",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
