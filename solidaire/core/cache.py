"""The cache when no cache server is configured: Django's database cache, shared by every web
process (and every machine) that uses the same database — rate limits counted in one process hold
in the others (docs/adr/0016-shared-rate-limits.md).

The table is created by a migration (solidaire.core 0001), so `migrate` is enough."""

import base64
import pickle

from django.core.cache.backends import db
from django.db import connections, models, router, transaction
from django.utils import timezone

TABLE = "solidaire_cache"


class DatabaseCache(db.DatabaseCache):
    """Django's database cache with an increment that counts every hit and keeps the entry's
    expiry. Django's own reads then writes (two processes may both read 4 and write 5) and
    resets the expiry to the default timeout (an hour's count forgotten after five minutes).
    Here the row is read and rewritten in one transaction that holds it: SQLite's
    BEGIN IMMEDIATE (the settings' transaction mode) or PostgreSQL's SELECT … FOR UPDATE."""

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table, lock = quote(self._table), " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} WHERE {quote('cache_key')} = %s{lock}",  # noqa: S608 - names quoted, values bound
                [key],
            )
            row = cursor.fetchone()
            if row is None or _expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 - written by this class only
            stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [stored, key],
            )
        return value


def _expired(connection, expires) -> bool:
    expression = models.Expression(output_field=models.DateTimeField())
    for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
        expires = converter(expires, expression, connection)
    return expires < timezone.now()
