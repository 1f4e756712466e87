"""`unseen check --deploy`: the vault's keys exist, are private, and are kept apart from the data.

Registered for deployment checks only: `makemigrations` and the other everyday commands must run
on a clean clone that has no keys yet. Production start-up (`config.wsgi`) calls
`keys.require_keys()` itself, and every use of a missing key stops with the same message.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

from unseen.audit import keys as audit_keys

from . import keys


def _key_files() -> list[tuple[str, str, Path]]:
    files = []
    if not getattr(settings, "UNSEEN_MASTER_KEY", ""):
        files.append(("master key", "UNSEEN_MASTER_KEY_FILE", keys.master_key_path()))
    if not getattr(settings, "UNSEEN_AUDIT_KEY", ""):
        files.append(("audit key", "UNSEEN_AUDIT_KEY_FILE", audit_keys.key_path()))
    return files


def _data_folders() -> list[tuple[str, Path]]:
    folders = [("uploaded files (MEDIA_ROOT)", Path(settings.MEDIA_ROOT))]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folders.append(("the SQLite database", Path(database["NAME"]).parent))
    return folders


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return folder == path or folder in path.parents


@checks.register(checks.Tags.security, deploy=True)
def keys_kept_apart(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    try:
        keys.require_keys()
    except keys.KeyUnavailable as error:
        problems.append(checks.Error(str(error), id="unseen.E101"))
    for name, variable, path in _key_files():
        for what, folder in _data_folders():
            if _inside(path.parent, folder):
                problems.append(
                    checks.Warning(
                        f"the {name} file {path} is in the same folder as {what} ({folder}): "
                        "a copy of that folder (a backup, a disk image) would carry the key "
                        "with the data it opens.",
                        hint=f"Keep it elsewhere (another volume, a secrets mount) and set "
                        f"{variable}, or pass the key in {variable.removesuffix('_FILE')}.",
                        id="unseen.W101",
                    )
                )
    return problems
