"""Inserting many rows fast, for imports.

Django's bulk_create prepares every value of every object one at a time; at 100,000 deployments
that is most of an import's time. Here ids are reserved up front (so claims can point at the new
rows) and rows go in with one `executemany` per table. No signals are sent: the import writes one
audit entry for the whole file instead.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.utils import timezone


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows that no other writer can take.

    Must run inside the import's transaction: on SQLite that transaction holds the write lock
    (IMMEDIATE mode), on PostgreSQL the sequence hands each caller its own values.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608  (table name from our model)
        highest = cursor.fetchone()[0] or 0
        # AUTOINCREMENT never reuses the id of a deleted row; the audit log may still name it.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        sequence = cursor.fetchone()
        start = max(highest, sequence[0] if sequence else 0) + 1
        return list(range(start, start + count))


def insert_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """Insert `rows` (attribute name -> value) into `model`'s table; returns their new ids.

    Fields a row leaves out take the model field's default; auto_now(_add) fields take now.
    """
    rows = list(rows)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    constants: dict[str, Any] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants[field.attname] = now
        elif field.has_default():
            constants[field.attname] = field.get_default()
        else:
            constants[field.attname] = None
    ids = reserve_ids(model, len(rows))
    names = [field.attname for field in fields]
    values = [
        (pk, *[row.get(name, constants[name]) for name in names])
        for pk, row in zip(ids, rows, strict=True)
    ]
    columns = ", ".join(
        connection.ops.quote_name(c) for c in ["id", *(str(f.column) for f in fields)]
    )
    placeholders = ", ".join(["%s"] * (len(fields) + 1))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)  # noqa: S608
        if connection.vendor == "sqlite" and ids:
            # Keep AUTOINCREMENT's high-water mark past the ids we chose ourselves.
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                [ids[-1], model._meta.db_table],
            )
    return ids
