"""A real database refusal in the middle of a write, to show that the write is one transaction.

The database itself refuses: a trigger on the audit table aborts any insert whose detail names
`marker`, on SQLite and on PostgreSQL alike (each in its own dialect).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

SQLITE = (
    "CREATE TRIGGER refuse_marked BEFORE INSERT ON audit_auditentry "
    "WHEN NEW.detail LIKE '%{marker}%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
)
POSTGRES = (
    "CREATE FUNCTION refuse_marked() RETURNS trigger AS $$ BEGIN "
    "IF NEW.detail::text LIKE '%{marker}%' THEN RAISE EXCEPTION 'refused'; END IF; "
    "RETURN NEW; END $$ LANGUAGE plpgsql; "
    "CREATE TRIGGER refuse_marked BEFORE INSERT ON audit_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION refuse_marked()"
)
DROP = {
    "sqlite": ["DROP TRIGGER refuse_marked"],
    "postgresql": [
        "DROP TRIGGER refuse_marked ON audit_auditentry",
        "DROP FUNCTION refuse_marked()",
    ],
}


@contextmanager
def audit_inserts_refused(marker: str) -> Iterator[None]:
    """Audit entries whose detail contains `marker` fail with "refused" inside this block."""
    create = POSTGRES if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        cursor.execute(create.replace("{marker}", marker))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in DROP[connection.vendor]:
                cursor.execute(statement)


def newest_audit_id() -> int:
    """The id of the newest audit entry (0 if none): entries after it are the test's own. Not a
    count: PostgreSQL's sequences do not go back when a test's transaction is rolled back."""
    from unseen.audit.models import AuditEntry

    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
