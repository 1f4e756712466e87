"""The key hierarchy of the identity vault: master key (outside the database) → data keys.

- The master key comes from UNSEEN_MASTER_KEY (base64 of 32 bytes) or, if that is unset, from the
  key file UNSEEN_MASTER_KEY_FILE (default `var/keys/master.key`, created 0600 on first use).
  It is never written to the database, logs or backups.
- Data keys (random 256-bit, numbered versions) are stored in `VaultKey` only wrapped (AES-GCM)
  by a master key. Vault fields are sealed under the newest version; blind indexes use a key
  derived from it.
- `unseen keys rotate` wraps every data key under a new master key too (both master keys work),
  switches the key file, then drops the old wrapping (`retire`). Running processes read the key
  file on every use, so nothing stops. `--data-key` also re-seals every vault field under a new
  data key, in one transaction.
"""

import contextlib
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from unseen.core import sealing

from .models import VaultKey

BLIND_INDEX_LABEL = "unseen blind index v1"

# Callables that re-seal one app's vault rows: (old keys by version, new version, new key).
# registry.vault registers its own; apps above registry (intake) register theirs in ready().
Resealer = Callable[[Callable[[int], bytes], int, bytes], int]
RESEALERS: dict[str, Resealer] = {}

_unwrapped: dict[tuple[str, bytes], bytes] = {}


class KeyUnavailable(Exception):
    """The configured master key does not unwrap the vault's data key."""


def master_key_path() -> Path:
    configured = getattr(settings, "UNSEEN_MASTER_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys" / "master.key"


def master_key_source() -> str:
    if getattr(settings, "UNSEEN_MASTER_KEY", ""):
        return "environment (UNSEEN_MASTER_KEY)"
    return f"key file {master_key_path()}"


def write_key_file(path: Path, key: bytes) -> None:
    """Write a new key file with 0600 permissions (in a 0700 folder); never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(sealing.encode_key(key) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def master_key() -> bytes:
    """The current master key, read on every use (so a rotated key file takes effect at once)."""
    from_env = getattr(settings, "UNSEEN_MASTER_KEY", "")
    if from_env:
        return sealing.decode_key(from_env)
    path = master_key_path()
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            write_key_file(path, sealing.new_key())
    return sealing.decode_key(path.read_text())


def configured_master_key_id() -> str | None:
    """Id of the configured master key, without creating a key file if there is none."""
    if getattr(settings, "UNSEEN_MASTER_KEY", "") or master_key_path().exists():
        return sealing.key_id(master_key())
    return None


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
    """The newest data key (version, key), created on first use of an empty vault."""
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


def data_key(version: int) -> bytes:
    """The data key of one version (for opening fields sealed under it)."""
    master = master_key()
    master_id = sealing.key_id(master)
    row = VaultKey.objects.filter(version=version, master_key_id=master_id).first()
    if row is None:
        raise _refuse(master_id)
    return _unwrap(master, row)


def blind_key(key: bytes) -> bytes:
    return sealing.derive_key(key, BLIND_INDEX_LABEL)


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
    """Drop wrappings under any master key but the configured one (last stage of a rotation)."""
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


def rotate_data_key() -> int:
    """Re-seal every vault field under a new data key, then drop the old ones; one transaction."""
    master = master_key()
    master_id = sealing.key_id(master)
    with transaction.atomic():
        rows = list(VaultKey.objects.select_for_update().order_by("version"))
        if any(row.master_key_id != master_id for row in rows):
            raise KeyUnavailable("finish the master-key rotation (`unseen keys retire`) first")
        version = max((row.version for row in rows), default=0) + 1
        key = sealing.new_key()
        VaultKey.objects.create(
            version=version,
            master_key_id=master_id,
            wrapped=sealing.wrap_key(master, key, _context(version)),
        )
        resealed = sum(reseal(data_key, version, key) for reseal in RESEALERS.values())
        VaultKey.objects.filter(version__lt=version).delete()
    return resealed


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


def data_key_for_migration(vault_key_model: Any) -> tuple[int, bytes]:
    """`active_data_key` for data migrations: historical model, no signals, no audit entry."""
    master = master_key()
    master_id = sealing.key_id(master)
    row = vault_key_model.objects.filter(master_key_id=master_id).order_by("-version").first()
    if row is not None:
        return row.version, sealing.unwrap_key(master, bytes(row.wrapped), _context(row.version))
    if vault_key_model.objects.exists():
        raise _refuse(master_id)
    key = sealing.new_key()
    vault_key_model.objects.bulk_create(
        [
            vault_key_model(
                version=1,
                master_key_id=master_id,
                wrapped=sealing.wrap_key(master, key, _context(1)),
            )
        ]
    )
    return 1, key
