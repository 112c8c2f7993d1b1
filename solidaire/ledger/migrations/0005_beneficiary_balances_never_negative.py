"""PostgreSQL guard: a beneficiary’s payable accounts (owed from gifts or matching, frozen, in a
payout batch) never end a transaction with a debit balance — the beneficiary would owe the
platform —, nor its recoverable account with a credit one. A deferred constraint trigger checks
the account of each posting at commit (only accounts of these kinds: their postings are few; the
collectivités' cash accounts are not summed). On SQLite the write paths draw what a payable lacks
from the recoverable account, and `ledger-check` checks the same rule."""

from django.db import migrations

PAYABLE_KINDS = (
    "beneficiary_gifts",
    "beneficiary_matching",
    "frozen_gifts",
    "frozen_matching",
    "in_batch_gifts",
    "in_batch_matching",
)

CREATE = f"""
CREATE OR REPLACE FUNCTION ledger_check_beneficiary_balance() RETURNS trigger AS $$
DECLARE
    account_kind text;
    total bigint;
BEGIN
    SELECT kind INTO account_kind FROM ledger_account WHERE id = NEW.account_id;
    IF account_kind IN ({", ".join(f"'{kind}'" for kind in PAYABLE_KINDS)}) THEN
        SELECT COALESCE(SUM(amount_cents), 0) INTO total FROM ledger_posting WHERE account_id = NEW.account_id;
        IF total > 0 THEN
            RAISE EXCEPTION 'account % (%) would have a beneficiary owe %', NEW.account_id, account_kind, total
                  USING ERRCODE = 'check_violation';
        END IF;
    ELSIF account_kind = 'beneficiary_recoverable' THEN
        SELECT COALESCE(SUM(amount_cents), 0) INTO total FROM ledger_posting WHERE account_id = NEW.account_id;
        IF total < 0 THEN
            RAISE EXCEPTION 'account % (recoverable) would be owed % by the platform', NEW.account_id, -total
                  USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_beneficiary_balance
    AFTER INSERT ON ledger_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_beneficiary_balance();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_beneficiary_balance ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_check_beneficiary_balance();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_check_runs")]
    operations = [migrations.RunPython(forwards, backwards)]
