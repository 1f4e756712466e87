"""The key hierarchy of the identity vault: master key (outside the database) → data keys.

- The master key comes from UNSEEN_MASTER_KEY (base64 of 32 bytes) or, if that is unset, from the
  key file UNSEEN_MASTER_KEY_FILE (default `var/keys/master.key`). Only `unseen keys init`
  creates it (`init_keys`): a missing key stops whatever needs it, and a key file that its group
  or others may read is refused. It is never written to the database, logs or backups.
- Data keys (random 256-bit, numbered versions) are stored in `VaultKey` only wrapped (AES-GCM)
  by a master key. Vault fields are sealed under the newest version; each blind index (name,
  birth date) uses a key of its own derived from it.
- `unseen keys rotate` wraps every data key under a new master key too (both master keys work),
  switches the key file, then replaces the data key (`replace_data_key`): every vault field and
  file key is re-sealed under a new data key and every older data key is deleted, so the retired
  master key, even with an old copy of the key table, opens nothing sealed from then on.
- Writers seal inside `sealing_key()`. On PostgreSQL it holds a shared advisory lock until the
  writer's transaction ends, and `replace_data_key` takes the same lock exclusively: a write
  made during a rotation waits for it and then seals under the new key, never under one that the
  rotation is about to delete.
"""

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from unseen import private_files
from unseen.audit import keys as audit_keys
from unseen.core import sealing

from .models import VaultKey

# One key per blind index, so equal hashes in the two columns say nothing about each other.
NAME_INDEX_LABEL = "unseen blind index v2 full_name"
BIRTH_DATE_INDEX_LABEL = "unseen blind index v2 birth_date"
FOLDED_NAME_INDEX_LABEL = "unseen blind index v2 folded full_name"

# PostgreSQL advisory lock: shared by every writer that seals, exclusive during a rotation.
_POSTGRES_ROTATION_LOCK = 0x756E7365656E02

INIT_HINT = "run `unseen keys init` only if this is a new installation"

# Callables that re-seal one app's vault rows: (old keys by version, new version, new key).
# registry.vault registers its own; apps above registry (intake) register theirs in ready().
Resealer = Callable[[Callable[[int], bytes], int, bytes], int]
RESEALERS: dict[str, Resealer] = {}
# Apps above the registry register how their own keys are made (the export key, the receipt key),
# so that `unseen keys init` is the one command that creates any key.
KEY_MAKERS: list[Callable[[], "Created"]] = []

_unwrapped: dict[tuple[str, bytes], bytes] = {}


class KeyUnavailable(Exception):
    """The configured master key is missing, refused, or does not unwrap the vault's data key."""


def master_key_path() -> Path:
    configured = getattr(settings, "UNSEEN_MASTER_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys" / "master.key"


def master_key_source() -> str:
    if getattr(settings, "UNSEEN_MASTER_KEY", ""):
        return "environment (UNSEEN_MASTER_KEY)"
    return f"key file {master_key_path()}"


def write_key_file(path: Path, key: bytes) -> None:
    """Write a new key file with 0600 permissions (in a 0700 folder); never overwrite one."""
    private_files.write_new(path, sealing.encode_key(key) + "\n")


def master_key() -> bytes:
    """The current master key, read on every use (so a rotated key file takes effect at once).

    Never created here: see `init_keys`.
    """
    from_env = getattr(settings, "UNSEEN_MASTER_KEY", "")
    if from_env:
        try:
            return sealing.decode_key(from_env)
        except sealing.SealingError as error:
            raise KeyUnavailable(f"UNSEEN_MASTER_KEY is not usable: {error}") from None
    path = master_key_path()
    if not path.exists():
        raise KeyUnavailable(
            f"no master key: UNSEEN_MASTER_KEY is unset and the key file {path} "
            "(UNSEEN_MASTER_KEY_FILE) does not exist. Nothing was created. If the key lives on "
            "a volume, mount it or point UNSEEN_MASTER_KEY_FILE at it (a new key would not open "
            f"an existing vault); {INIT_HINT}."
        )
    try:
        return sealing.read_key_file(path)
    except sealing.KeyFileError as error:
        raise KeyUnavailable(f"master key refused: {error}") from None


def configured_master_key_id() -> str | None:
    """Id of the configured master key, or None if there is none (nothing is created)."""
    if getattr(settings, "UNSEEN_MASTER_KEY", "") or master_key_path().exists():
        return sealing.key_id(master_key())
    return None


def require_keys() -> None:
    """Stop start-up, with a message naming the variable, file and command, if a key is missing."""
    master_key()
    try:
        audit_keys.audit_key()
    except audit_keys.AuditKeyError as error:
        raise KeyUnavailable(str(error)) from None


@dataclass(frozen=True)
class Created:
    name: str
    where: str
    created: bool


def _vault_master_ids() -> list[str]:
    try:
        return sorted(set(VaultKey.objects.values_list("master_key_id", flat=True)))
    except DatabaseError:  # not migrated yet: there is no vault to protect
        return []


def init_keys() -> list[Created]:
    """Create every missing key file (master key, audit key); never overwrite or replace one.

    Refuses to create a master key when the database already holds a vault: a new key would
    not open it (the old key is missing, not lost: find it). The same for the audit key once the
    audit log has entries keyed with another one.
    """
    done: list[Created] = []
    if getattr(settings, "UNSEEN_MASTER_KEY", ""):
        master_key()
        done.append(Created("master key", "UNSEEN_MASTER_KEY", False))
    else:
        path = master_key_path()
        if path.exists():
            master_key()  # refuses a key file open to others
            done.append(Created("master key", str(path), False))
        else:
            owners = _vault_master_ids()
            if owners:
                raise KeyUnavailable(
                    f"the database holds a vault wrapped under master key {', '.join(owners)} "
                    f"but {path} does not exist: a new key would not open it. Restore that key "
                    "file (or set UNSEEN_MASTER_KEY); nothing was created."
                )
            write_key_file(path, sealing.new_key())
            done.append(Created("master key", str(path), True))
    where, created = audit_keys.init_key()
    done.append(Created("audit key", where, created))
    done.extend(make() for make in KEY_MAKERS)
    return done


def _context(version: int) -> str:
    return f"unseen/vault-data-key/v{version}"


def _unwrap(master: bytes, row: VaultKey) -> bytes:
    wrapped = bytes(row.wrapped)
    cache_key = (row.master_key_id, hashlib.sha256(wrapped).digest())
    if cache_key not in _unwrapped:
        _unwrapped[cache_key] = sealing.unwrap_key(master, wrapped, _context(row.version))
    return _unwrapped[cache_key]


def _refuse(master_id: str) -> KeyUnavailable:
    others = sorted(set(VaultKey.objects.values_list("master_key_id", flat=True)))
    return KeyUnavailable(
        f"the vault's data keys are wrapped under master key {', '.join(others)}, "
        f"not under the configured one ({master_id}, from {master_key_source()})"
    )


def active_data_key() -> tuple[int, bytes]:
    """The newest data key (version, key), created on first use of an empty vault.

    Writers call it through `sealing_key()`, which holds the rotation lock until they commit.
    """
    master = master_key()
    master_id = sealing.key_id(master)
    row = VaultKey.objects.filter(master_key_id=master_id).order_by("-version").first()
    if row is None:
        if VaultKey.objects.exists():
            raise _refuse(master_id)
        try:
            with transaction.atomic():
                row = VaultKey.objects.create(
                    version=1,
                    master_key_id=master_id,
                    wrapped=sealing.wrap_key(master, sealing.new_key(), _context(1)),
                )
        except IntegrityError:  # another process created it first
            row = VaultKey.objects.get(version=1, master_key_id=master_id)
    return row.version, _unwrap(master, row)


def _rotation_lock(*, exclusive: bool) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite lets one writer in at a time: a rotation and a write cannot interleave
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [_POSTGRES_ROTATION_LOCK])


@contextlib.contextmanager
def sealing_key() -> Iterator[tuple[int, bytes]]:
    """The data key to seal new values under, for the transaction that writes them.

    Write the sealed values inside the `with` block (or inside an outer transaction that is still
    open): on PostgreSQL a rotation waits until that transaction commits, and a write that starts
    during a rotation waits for it and then gets the new key.
    """
    with transaction.atomic():
        _rotation_lock(exclusive=False)
        yield active_data_key()


def data_key(version: int) -> bytes:
    """The data key of one version (for opening fields sealed under it)."""
    master = master_key()
    master_id = sealing.key_id(master)
    row = VaultKey.objects.filter(version=version, master_key_id=master_id).first()
    if row is None:
        raise _refuse(master_id)
    return _unwrap(master, row)


def name_index_key(key: bytes) -> bytes:
    return sealing.derive_key(key, NAME_INDEX_LABEL)


def folded_name_index_key(key: bytes) -> bytes:
    return sealing.derive_key(key, FOLDED_NAME_INDEX_LABEL)


def birth_date_index_key(key: bytes) -> bytes:
    return sealing.derive_key(key, BIRTH_DATE_INDEX_LABEL)


def add_master(new_master: bytes) -> int:
    """Wrap every data key under `new_master` too (stage 1 of a rotation); returns how many."""
    new_id = sealing.key_id(new_master)
    added = 0
    with transaction.atomic():
        versions = sorted(set(VaultKey.objects.values_list("version", flat=True)))
        for version in versions:
            if VaultKey.objects.filter(version=version, master_key_id=new_id).exists():
                continue
            key = data_key(version)
            VaultKey.objects.create(
                version=version,
                master_key_id=new_id,
                wrapped=sealing.wrap_key(new_master, key, _context(version)),
            )
            added += 1
        if not versions:  # an empty vault: create its first data key under the new master
            VaultKey.objects.create(
                version=1,
                master_key_id=new_id,
                wrapped=sealing.wrap_key(new_master, sealing.new_key(), _context(1)),
            )
            added = 1
    return added


def retire_other_masters() -> int:
    """Drop wrappings under any master key but the configured one; returns how many."""
    master_id = sealing.key_id(master_key())
    with transaction.atomic():
        mine = set(
            VaultKey.objects.filter(master_key_id=master_id).values_list("version", flat=True)
        )
        missing = set(VaultKey.objects.values_list("version", flat=True)) - mine
        if missing:
            raise KeyUnavailable(
                f"data key version(s) {sorted(missing)} are not wrapped under the configured "
                f"master key {master_id}: nothing retired"
            )
        deleted, _ = VaultKey.objects.exclude(master_key_id=master_id).delete()
    return deleted


@dataclass(frozen=True)
class Replaced:
    old_versions: list[int]
    version: int
    resealed: int
    retired_wrappings: int


def replace_data_key() -> Replaced:
    """Re-seal every vault value under a new data key, then delete every older data key.

    One transaction. On PostgreSQL it first takes the rotation lock exclusively: it waits for
    writers that hold a data key to commit, and writers arriving meanwhile wait for it, so no
    value is ever left sealed under a deleted key. The new key is wrapped under the configured
    master key only, so wrappings under any other master key go too.
    """
    master = master_key()
    master_id = sealing.key_id(master)
    with transaction.atomic():
        _rotation_lock(exclusive=True)
        rows = list(VaultKey.objects.select_for_update().order_by("version", "master_key_id"))
        old_versions = sorted({row.version for row in rows})
        mine = {row.version for row in rows if row.master_key_id == master_id}
        if set(old_versions) - mine:
            raise KeyUnavailable(
                f"data key version(s) {sorted(set(old_versions) - mine)} are not wrapped under "
                f"the configured master key {master_id}: nothing replaced"
            )
        version = max(old_versions, default=0) + 1
        key = sealing.new_key()
        VaultKey.objects.create(
            version=version,
            master_key_id=master_id,
            wrapped=sealing.wrap_key(master, key, _context(version)),
        )
        resealed = sum(reseal(data_key, version, key) for reseal in RESEALERS.values())
        deleted, _ = VaultKey.objects.filter(version__lt=version).delete()
    return Replaced(old_versions, version, resealed, deleted)


@dataclass(frozen=True)
class KeyStatus:
    source: str
    master_key_id: str
    active_version: int | None
    wrappings: list[tuple[int, str]]

    @property
    def usable(self) -> bool:
        return self.active_version is not None or not self.wrappings


def status() -> KeyStatus:
    """Which keys are in use: key ids and versions only, never key material."""
    master_id = sealing.key_id(master_key())
    wrappings = list(
        VaultKey.objects.order_by("version", "master_key_id").values_list(
            "version", "master_key_id"
        )
    )
    mine = [version for version, owner in wrappings if owner == master_id]
    return KeyStatus(master_key_source(), master_id, max(mine, default=None), wrappings)


def forget_cached_keys(*_: Any) -> None:
    _unwrapped.clear()
