import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.core import sealing
from unseen.registry import keys


class Command(BaseCommand):
    help = (
        "Identity vault keys: `unseen keys status` names the keys in use (ids only), "
        "`unseen keys rotate` moves the vault to a new master key, `unseen keys retire` drops "
        "wrappings under any master key but the configured one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["status", "rotate", "retire"])
        parser.add_argument(
            "--new-key-file",
            type=Path,
            help="Write the new master key here and stop after wrapping (two-stage rotation; "
            "required when the master key comes from UNSEEN_MASTER_KEY).",
        )
        parser.add_argument(
            "--data-key",
            action="store_true",
            help="Also replace the data key, re-sealing every vault field in one transaction.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, options["operation"])(**options)
        except (keys.KeyUnavailable, sealing.SealingError) as error:
            raise CommandError(str(error)) from error

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

    def retire(self, **options: Any) -> None:
        removed = keys.retire_other_masters()
        self.stdout.write(f"retired {removed} wrapping(s) under other master keys")

    def rotate(self, **options: Any) -> None:
        if options["data_key"] and options["new_key_file"] is not None:
            raise CommandError("rotate the data key after `unseen keys retire`, not while staging")
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
                "now open the vault. Next: configure the new key (UNSEEN_MASTER_KEY_FILE, or "
                "UNSEEN_MASTER_KEY with the file's content), restart every process, then run "
                "`unseen keys retire`."
            )
        else:
            path = keys.master_key_path()
            staged = path.with_name(path.name + ".new")
            retired = path.with_name(f"{path.name}.{old_id}.retired")
            keys.write_key_file(staged, new)
            keys.add_master(new)
            # Keep the old key under another name (old backups need it), then switch atomically:
            # a process reading the key file sees the old or the new key, never none.
            os.link(path, retired)
            os.replace(staged, path)
            keys.retire_other_masters()
            self.stdout.write(
                f"master key rotated: {old_id} -> {new_id} ({path}). The old key, kept as "
                f"{retired}, opens only backups taken before now: store it offline with them "
                "or delete it."
            )
        if options["data_key"]:
            count = keys.rotate_data_key()
            self.stdout.write(f"data key replaced; {count} vault row(s) re-sealed")
