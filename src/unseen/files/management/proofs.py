"""`unseen files proof` and `unseen files export`: a file with its inclusion proof (ADR 0029).

Sub-commands of `unseen files`, kept here so that the command module only wires them in:
`add_parsers(sub)` in its `add_arguments`, `run(command, operation, options)` in its `handle`.
"""

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from unseen.core import custody
from unseen.core.sealing import SealingError
from unseen.files import checkpoints
from unseen.files.models import Checkpoint, EvidenceFile

OPERATIONS = ("proof", "export")
ACTOR = "cli"


def add_parsers(sub: "argparse._SubParsersAction[Any]") -> None:
    proof = sub.add_parser(
        "proof", help="print a file's inclusion proof in a stamped checkpoint, as JSON"
    )
    proof.add_argument("file", type=int, help="the file's id (12 for F-00012)")
    proof.add_argument(
        "--checkpoint",
        type=int,
        help="the checkpoint's id (default: the newest stamped one that holds the file)",
    )
    export = sub.add_parser(
        "export", help="write a file's original, manifest and inclusion proof into a folder"
    )
    export.add_argument("file", type=int, help="the file's id (12 for F-00012)")
    export.add_argument("--out", type=Path, required=True, help="the folder to write into")
    export.add_argument(
        "--reason", required=True, help="why it leaves the server (in its custody record)"
    )
    export.add_argument("--checkpoint", type=int, help="the checkpoint to prove it in")


def _file(pk: int) -> EvidenceFile:
    found = EvidenceFile.objects.filter(pk=pk).first()
    if found is None:
        raise CommandError(f"no file {pk}", returncode=2)
    return found


def _checkpoint(pk: int | None) -> Checkpoint | None:
    if pk is None:
        return None
    found = Checkpoint.objects.filter(pk=pk).first()
    if found is None:
        raise CommandError(f"no checkpoint {pk}", returncode=2)
    return found


def run(command: BaseCommand, operation: str, options: dict[str, Any]) -> None:
    """Run `proof` or `export` (the caller has set the audit actor)."""
    file = _file(options["file"])
    checkpoint = _checkpoint(options.get("checkpoint"))
    try:
        if operation == "proof":
            proof = checkpoints.inclusion_proof_for(file, checkpoint)
            command.stdout.write(json.dumps(proof, indent=2, sort_keys=True))
            return
        reason = str(options["reason"]).strip()
        if not reason:
            raise CommandError("give a reason: --reason TEXT", returncode=2)
        folder = checkpoints.export_file(
            file, options["out"], reason=reason, checkpoint=checkpoint, actor=ACTOR
        )
    except custody.CustodyError as error:
        raise CommandError(str(error), returncode=1) from None
    except FileExistsError:
        raise CommandError(
            f"{options['out'] / file.code} exists already: export into another folder",
            returncode=2,
        ) from None
    except SealingError as error:
        raise CommandError(
            f"{file.code} was not exported: its stored bytes changed ({error}); run "
            "`unseen files verify`",
            returncode=1,
        ) from None
    command.stdout.write(f"{file.code} exported to {folder}")
