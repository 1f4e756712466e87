"""Acceptance (#8): after `unseen demo` the raw database holds no synthetic person's identity in
plaintext, yet a researcher with the vault permission reads it, and the read is audited."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from unseen.audit.models import Action, AuditEntry
from unseen.core import sealing
from unseen.registry.models import Person
from unseen.registry.vault import Identity, find_by_name, read_identity, store_identity

UNSEEN = str(Path(sys.executable).with_name("unseen"))
SEARCHED = ("full_name", "given_name", "name_hangul", "birth_date", "address", "phone")

READ_ALL = """
import json
from unseen.accounts.models import User
from unseen.audit.models import Action, AuditEntry
from unseen.registry.models import Person
from unseen.registry.vault import has_identity, read_identity
researcher = User.objects.get(username="researcher")
identities = [
    {**read_identity(p, user=researcher, purpose="acceptance test").__dict__,
     "record": p.source_record_id}
    for p in Person.objects.filter(is_synthetic=True).order_by("pk") if has_identity(p)
]
reads = AuditEntry.objects.filter(action=Action.VAULT_READ, actor="researcher").count()
print(json.dumps({"identities": identities, "reads": reads}))
"""


def needles(identities: list[dict[str, str]]) -> set[str]:
    # A short given name (Il, Chol) is part of other words; a longer one (Chol Su) is not.
    return {
        identity[name]
        for identity in identities
        for name in SEARCHED
        if identity.get(name) and (name != "given_name" or len(identity[name]) >= 5)
    }


def leaked(haystack: bytes, identities: list[dict[str, str]]) -> list[str]:
    return sorted(n for n in needles(identities) if n.encode("utf-8") in haystack)


@pytest.fixture(autouse=True)
def own_master_key(settings, tmp_path):
    settings.UNSEEN_MASTER_KEY = ""


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL variant runs below")
def test_the_sqlite_file_holds_no_identity_in_plaintext_after_the_demo(tmp_path):
    database = tmp_path / "unseen.sqlite3"
    env = {
        **os.environ,
        "UNSEEN_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{database}",
        "UNSEEN_DEMO": "1",
    }
    for name in ("UNSEEN_MASTER_KEY", "UNSEEN_MASTER_KEY_FILE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    subprocess.run([UNSEEN, "migrate", "--no-input", "-v0"], env=env, check=True)
    subprocess.run([UNSEEN, "keys", "init"], env=env, check=True, capture_output=True)
    subprocess.run([UNSEEN, "demo"], env=env, check=True, capture_output=True)
    shell = subprocess.run(
        [UNSEEN, "shell", "-c", READ_ALL], env=env, check=True, capture_output=True, text=True
    )
    result = json.loads(shell.stdout.strip().splitlines()[-1])
    identities = result["identities"]

    # A researcher sees every identity in plaintext, and every read is in the audit log.
    # The demo's interviewees and other persons have every field; the records of its linkage
    # lists (imported, with a source record id) are written each list's way: a full name, the
    # parts, or Hangul only.
    people = [i for i in identities if not i["record"]]
    listed = [i for i in identities if i["record"]]
    assert len(people) >= 10 and len(listed) >= 150
    assert all(i["full_name"] and i["birth_date"] and i["name_hangul"] for i in people)
    assert all(i["full_name"] or i["given_name"] or i["name_hangul"] for i in listed)
    assert result["reads"] == len(identities)

    with sqlite3.connect(database) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [database, *database.parent.glob(database.name + "-*")]
    haystack = b"".join(path.read_bytes() for path in files)
    assert len(needles(people)) > 3 * len(people) and len(needles(listed)) > len(listed)
    assert leaked(haystack, identities) == []
    # ... and the master key is outside the database, in a 0600 file.
    key_file = tmp_path / "var" / "keys" / "master.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text().strip().encode() not in haystack


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://…")
@pytest.mark.django_db
def test_a_postgresql_dump_holds_no_identity_in_plaintext_after_the_demo(rita):
    from unseen.demo.loading import load_demo
    from unseen.registry.vault import has_identity

    load_demo()
    identities = [
        read_identity(p, user=rita, purpose="acceptance test").__dict__
        for p in Person.objects.filter(is_synthetic=True).order_by("pk")
        if has_identity(p)
    ]
    assert len(identities) >= 10
    assert AuditEntry.objects.filter(action=Action.VAULT_READ, actor="rita").count() == len(
        identities
    )
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # noqa: S608 (table names from the catalogue)
            dump.extend(row[0] for row in cursor.fetchall())
    assert leaked("\n".join(dump).encode("utf-8"), identities) == []


def test_it_stores_only_ciphertext_and_reads_it_back(rita, db):
    person = Person.objects.create()
    identity = Identity(
        full_name="Ri Chol Su", name_hangul="리철수", birth_date="1984-03-02", phone="+850 2 381"
    )
    store_identity(person, identity)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_personidentity")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert not leaked(row.encode(), [identity.__dict__])
    assert "v1:" in row
    assert read_identity(person, user=rita, purpose="check") == identity


def test_a_sealed_field_does_not_open_in_another_persons_row(rita, db):
    from unseen.registry.models import PersonIdentity

    first, second = Person.objects.create(), Person.objects.create()
    store_identity(first, Identity(full_name="Ri Chol Su"))
    store_identity(second, Identity(full_name="Kim Yong Ho"))
    sealed = PersonIdentity.objects.get(person=first).full_name
    PersonIdentity.objects.filter(person=second).update(full_name=sealed)
    with pytest.raises(sealing.SealingError):
        read_identity(second, user=rita, purpose="check")
    # ... nor in another field of the same row.
    PersonIdentity.objects.filter(person=first).update(given_name=sealed)
    with pytest.raises(sealing.SealingError):
        read_identity(first, user=rita, purpose="check")


def test_it_finds_persons_by_blind_index_and_audits_the_search(rita, andy, db):
    from django.core.exceptions import PermissionDenied

    ri, kim = Person.objects.create(), Person.objects.create()
    store_identity(ri, Identity(full_name="Ri Chol-Su", birth_date="1984-03-02"))
    store_identity(kim, Identity(full_name="Kim Yong Ho", birth_date="1984-03-02"))
    assert find_by_name("  ri chol su ", user=rita) == [ri]
    assert find_by_name("Kim Yong Ho", user=rita, birth_date="1984-03-02") == [kim]
    assert find_by_name("Kim Yong Ho", user=rita, birth_date="1990") == []
    searches = AuditEntry.objects.filter(action=Action.SEARCH, actor="rita")
    assert searches.count() == 3
    assert "Ri" not in json.dumps([entry.detail for entry in searches])
    with pytest.raises(PermissionDenied):
        find_by_name("Ri Chol Su", user=andy)


def _every_row() -> str:
    """Every row of every table as text, as a copy of the database would show them."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the catalogue)
            rows.extend(" ".join(str(value) for value in row) for row in cursor.fetchall())
    return "\n".join(rows)


def test_a_witness_stays_sealed_beside_a_public_figure_named_in_clear(client, rita, db, caplog):
    """A public figure's name is plain (ADR 0031); a witness's with the same name is not, and
    the figure's name goes into no address, audit entry or log line."""
    from tests import factories
    from unseen.registry.models import PublicFigure

    caplog.set_level("DEBUG")
    witness = Person.objects.create()
    identity = Identity(full_name="Ri Chol Su", name_hangul="리철수", birth_date="1984-03-02")
    store_identity(witness, identity)
    factories.public_figure("Jong Song Hwa", name_hangul="정성화")
    client.force_login(rita)
    response = client.post(
        "/app/public-figures/new/",
        {
            "name": "Kim Su Gwang",
            "name_hangul": "김수광",
            "nationality": "KP",
            "access_level": "internal",
        },
    )
    made = PublicFigure.objects.get(name="Kim Su Gwang")
    addresses = [response.url]
    for path in ("", "edit/", "history/", "names/"):
        page = client.get(f"/app/public-figures/{made.pk}/{path}")
        assert page.status_code == 200
        addresses += [link for link in page.content.decode().split('href="')[1:]]
    addresses = [link.split('"')[0] for link in addresses]

    dump = _every_row()
    assert not leaked(dump.encode(), [identity.__dict__])
    assert "Jong Song Hwa" in dump and "정성화" in dump and "Kim Su Gwang" in dump
    assert response.url == f"/app/public-figures/{made.pk}/"
    assert not [link for link in addresses if "Kim" in link or "김수광" in link]
    entries = json.dumps(
        list(AuditEntry.objects.values("target_type", "target_id", "detail")), ensure_ascii=False
    )
    assert "Kim Su Gwang" not in entries and "김수광" not in entries
    assert '"registry.publicfigure"' in entries
    assert "Kim Su Gwang" not in caplog.text and "김수광" not in caplog.text
