import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.audit import keys as audit_keys
from unseen.core import sealing
from unseen.registry import keys

OLD_COPIES = "an old backup, PostgreSQL's WAL or dead rows, SQLite's free pages"


class Command(BaseCommand):
    help = (
        "Identity vault keys: `unseen keys init` creates the master and audit keys that are "
        "missing (never replaces one), `unseen keys status` names the keys in use (ids only), "
        "`unseen keys rotate` moves the vault to a new master key and a new data key, "
        "`unseen keys retire` finishes a two-stage rotation."
    )
    # `init` must run where keys are missing; nothing here needs the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["init", "status", "rotate", "retire"])
        parser.add_argument(
            "--new-key-file",
            type=Path,
            help="Write the new master key here and stop after wrapping (two-stage rotation; "
            "required when the master key comes from UNSEEN_MASTER_KEY). "
            "`unseen keys retire` finishes it.",
        )
        parser.add_argument(
            "--keep-data-key",
            action="store_true",
            help="Replace the master key only. The retired master key together with any old "
            f"copy of the key table ({OLD_COPIES}) then still opens the current vault.",
        )
        parser.add_argument(
            "--data-key",
            action="store_true",
            help="Replace the data key too (the default since #15; kept for scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keep_data_key"] and options["data_key"]:
            raise CommandError("--data-key and --keep-data-key contradict each other")
        try:
            getattr(self, options["operation"])(**options)
        except (keys.KeyUnavailable, audit_keys.AuditKeyError, sealing.SealingError) as error:
            raise CommandError(str(error)) from error

    def init(self, **options: Any) -> None:
        for done in keys.init_keys():
            if done.created:
                self.stdout.write(
                    f"created the {done.name} in {done.where} (0600). Back it up now, away from "
                    "the database and its backups: nothing else holds a copy."
                )
            elif done.where.startswith("UNSEEN_"):
                self.stdout.write(f"{done.name}: from {done.where}, nothing created")
            else:
                self.stdout.write(f"{done.name}: {done.where} exists, left as it is")

    def status(self, **options: Any) -> None:
        report = keys.status()
        self.stdout.write(f"master key: {report.master_key_id} ({report.source})")
        if report.active_version is None and report.wrappings:
            self.stdout.write("active data key: NONE under this master key (wrong key?)")
        elif report.active_version is None:
            self.stdout.write("active data key: none yet (created on first use)")
        else:
            self.stdout.write(f"active data key: version {report.active_version}")
        for version, owner in report.wrappings:
            mark = "" if owner == report.master_key_id else "  (other master key)"
            self.stdout.write(f"  data key v{version} wrapped under {owner}{mark}")
        if not report.usable:
            raise CommandError("the configured master key unwraps no data key")

    def _replace_data_key(self) -> None:
        done = keys.replace_data_key()
        old = ", ".join(f"v{v}" for v in done.old_versions) or "none"
        self.stdout.write(
            f"data key replaced: {old} -> v{done.version}; {done.resealed} vault row(s) "
            "(identities and their revisions, reporters' contact details, photos) re-sealed "
            "under it, each photo re-encrypted under a new file key, blind indexes rebuilt; "
            "older data keys deleted."
        )

    def _retired_message(self, where: str) -> str:
        return (
            f"The retired master key{where} opens only backups taken before now (each also needs "
            "its passphrase), showing the vault as it was then. Together with any old copy of "
            f"the key table ({OLD_COPIES}) it opens nothing sealed from now on. Store it offline "
            "with those backups, or destroy it when they expire."
        )

    def _kept_message(self, where: str = "") -> str:
        return (
            f"The data key was NOT replaced (--keep-data-key): the retired master key{where} "
            "together "
            f"with any old copy of the key table ({OLD_COPIES}) still opens the current vault. "
            "Run `unseen keys retire` to replace the data key."
        )

    def retire(self, **options: Any) -> None:
        if options["keep_data_key"]:
            removed = keys.retire_other_masters()
            self.stdout.write(f"retired {removed} wrapping(s) under other master keys.")
            self.stdout.write(self._kept_message())
            return
        self._replace_data_key()
        removed = keys.retire_other_masters()  # the replacement left none; a last check
        self.stdout.write(f"no data key is wrapped under another master key ({removed} left).")
        self.stdout.write(self._retired_message(""))

    def rotate(self, **options: Any) -> None:
        old_id = sealing.key_id(keys.master_key())
        keys.data_key(keys.active_data_key()[0])  # the current master key must work
        new = sealing.new_key()
        new_id = sealing.key_id(new)
        target = options["new_key_file"]
        from_env = keys.master_key_source().startswith("environment")
        if from_env and target is None:
            raise CommandError(
                "the master key comes from UNSEEN_MASTER_KEY: give --new-key-file for the new one"
            )
        if target is not None:
            keys.write_key_file(target, new)
            keys.add_master(new)
            self.stdout.write(
                f"staged master key {new_id} (written to {target}); both {old_id} and {new_id} "
                "now open the vault, and the data key is unchanged. Next: configure the new key "
                "(UNSEEN_MASTER_KEY_FILE, or UNSEEN_MASTER_KEY with the file's content), restart "
                "every process, then run `unseen keys retire`: it replaces the data key and "
                f"drops {old_id}'s wrappings."
            )
            return
        path = keys.master_key_path()
        staged = path.with_name(path.name + ".new")
        retired = path.with_name(f"{path.name}.{old_id}.retired")
        keys.write_key_file(staged, new)
        keys.add_master(new)
        # Keep the old key under another name (old backups need it), then switch atomically:
        # a process reading the key file sees the old or the new key, never none.
        os.link(path, retired)
        os.replace(staged, path)
        self.stdout.write(f"master key rotated: {old_id} -> {new_id} ({path}).")
        if options["keep_data_key"]:
            keys.retire_other_masters()
            self.stdout.write(self._kept_message(f", kept as {retired},"))
            return
        try:
            self._replace_data_key()
        except Exception as error:
            raise CommandError(
                f"the data key was not replaced ({type(error).__name__}: {error}); both master "
                f"keys still open the vault. Run `unseen keys retire` to finish."
            ) from error
        keys.retire_other_masters()
        self.stdout.write(self._retired_message(f", kept as {retired},"))
