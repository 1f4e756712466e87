"""Trusted time for the evidence (ADR 0029): checkpoints, RFC 3161 stamps, inclusion proofs.

A checkpoint is a Merkle root over every original's (id, SHA-256), in id order, together with the
audit chain's newest entry: one hash that commits to every file's bytes and to the whole custody
log up to that moment. A timestamp authority signs the hash of its statement (`core.custody`), so
that later anyone holding the authority's certificate can check that these files had these bytes
no later than the stated time, without trusting this server's clock or its operator.

Only originals are leaves. They are the evidence; working copies are made from them, recorded with
the tool and parameters that made them, and are remade when a redaction changes. A checkpoint
that included them would stop verifying every time a preview is regenerated.

`verify` re-reads every file a checkpoint names through `storing`, so it proves the disk still
holds what was stamped, not only that the database says so.
"""

import base64
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from unseen.audit import log
from unseen.audit.models import Action, AuditEntry
from unseen.core import custody
from unseen.core.sealing import SealingError

from .models import Checkpoint, EvidenceFile

CheckpointError = custody.CustodyError


def _leaves_now() -> list[custody.Leaf]:
    return [
        (pk, sha256)
        for pk, sha256 in EvidenceFile.objects.order_by("id").values_list("id", "sha256")
    ]


def _leaves(checkpoint: Checkpoint) -> list[custody.Leaf]:
    return [(int(pk), str(sha256)) for pk, sha256 in checkpoint.leaves]


def statement(checkpoint: Checkpoint) -> bytes:
    """The bytes the authority signs (their SHA-256 is the request's message imprint)."""
    return custody.statement(
        root=checkpoint.merkle_root,
        size=len(checkpoint.leaves),
        audit_entry_id=checkpoint.audit_entry_id,
        audit_hash=checkpoint.audit_hash,
        made_at=checkpoint.made_at,
    )


def make_checkpoint(actor: str | None = None) -> Checkpoint:
    """A new checkpoint over every original now stored and the audit chain's head.

    Writes its RFC 3161 request (to send with `stamp`, or by hand: `unseen custody checkpoint
    --out`) and a CHECKPOINT entry in the audit chain (the entry after the head it names).
    """
    with transaction.atomic():
        head = AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
        leaves = _leaves_now()
        checkpoint = Checkpoint(
            made_at=timezone.now(),
            merkle_root=custody.merkle_root(leaves),
            leaves=[list(leaf) for leaf in leaves],
            audit_entry_id=head[0] if head else None,
            audit_hash=head[1] if head else "",
        )
        checkpoint.request_der = custody.timestamp_request(statement(checkpoint))
        checkpoint.save()
        log.record(
            Action.CHECKPOINT,
            checkpoint,
            detail={"step": "made", "merkle_root": checkpoint.merkle_root, "files": len(leaves)},
            actor=actor,
        )
    return checkpoint


def stamp(
    checkpoint: Checkpoint,
    tsa_url: str,
    *,
    roots_pem: Sequence[bytes] = (),
    timeout: float = 30.0,
    actor: str | None = None,
) -> custody.StampInfo | None:
    """Ask the authority at `tsa_url` for a token over the checkpoint, and keep it.

    With `roots_pem` (the authority's CA certificates) the token is verified before it is kept,
    and what it says is returned; without, it is kept unverified (its genTime recorded as the
    authority's claim) and None is returned: `verify` checks it later.
    """
    _not_stamped(checkpoint)
    token = custody.request_token(tsa_url, bytes(checkpoint.request_der), timeout=timeout)
    return keep_token(checkpoint, token, source=tsa_url, roots_pem=roots_pem, actor=actor)


def _not_stamped(checkpoint: Checkpoint) -> None:
    if checkpoint.token_der:
        raise CheckpointError(f"checkpoint {checkpoint.pk} is already stamped")


def keep_token(
    checkpoint: Checkpoint,
    token: bytes,
    *,
    source: str,
    roots_pem: Sequence[bytes] = (),
    actor: str | None = None,
) -> custody.StampInfo | None:
    """Keep a timestamp reply for the checkpoint: one just received, or one fetched by hand
    for its request (`unseen custody stamp --reply FILE`, for a server without network).

    The reply must be granted and for this checkpoint's statement and request (nonce); with
    `roots_pem` its signature is verified too.
    """
    _not_stamped(checkpoint)
    request_der = bytes(checkpoint.request_der)
    checkpoint_digest = custody.digest(statement(checkpoint))
    info = None
    if roots_pem:
        info = custody.verify_token(token, checkpoint_digest, roots_pem, request_der=request_der)
    else:
        custody.check_reply(token, checkpoint_digest, request_der=request_der)
    with transaction.atomic():
        checkpoint.token_der = token
        checkpoint.tsa_url = source
        checkpoint.stamped_at = timezone.now()
        checkpoint.stamped_time = info.gen_time if info else custody.token_time(token)
        checkpoint.save(update_fields=["token_der", "tsa_url", "stamped_at", "stamped_time"])
        log.record(
            Action.CHECKPOINT,
            checkpoint,
            detail={"step": "stamped", "merkle_root": checkpoint.merkle_root},
            actor=actor,
        )
    return info


def _stored_sha256(file: EvidenceFile) -> str:
    """SHA-256 of the original as it is on disk now, read through `storing` (which owns the keys)."""
    from . import storing

    return storing.rehash_original(file)


# What re-reads a file. `storing` owns the bytes; tests and `verify` go through it.
rehash: Callable[[EvidenceFile], str] = _stored_sha256


@dataclass
class Report:
    """What `verify` found: the stamp (when the token held) and every problem, by name."""

    checkpoint: Checkpoint
    stamp: custody.StampInfo | None = None
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.problems


def verify(
    checkpoint: Checkpoint,
    roots_pem: Sequence[bytes],
    *,
    files: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check a checkpoint end to end; the report names everything that failed.

    The leaves still give the recorded root; the token is the authority's, over this
    checkpoint's statement, for this request's nonce; the audit entry the checkpoint names still
    has the hash it had; and (unless `files=False`) every file named still has, on disk, the
    SHA-256 it had.
    """
    report = Report(checkpoint)
    problems = report.problems
    leaves = _leaves(checkpoint)
    if custody.merkle_root(leaves) != checkpoint.merkle_root:
        problems.append(
            f"checkpoint {checkpoint.pk}: its list of files does not give its Merkle root "
            "(the list was edited after it was made)"
        )
    if not checkpoint.token_der:
        problems.append(
            f"checkpoint {checkpoint.pk} is not stamped (unseen custody stamp --checkpoint "
            f"{checkpoint.pk} --tsa URL)"
        )
    else:
        try:
            report.stamp = custody.verify_token(
                bytes(checkpoint.token_der),
                custody.digest(statement(checkpoint)),
                roots_pem,
                request_der=bytes(checkpoint.request_der),
            )
        except custody.CustodyError as error:
            problems.append(f"checkpoint {checkpoint.pk}: timestamp: {error}")
    if checkpoint.audit_entry_id is not None:
        kept = (
            AuditEntry.objects.filter(pk=checkpoint.audit_entry_id)
            .values_list("entry_hash", flat=True)
            .first()
        )
        if kept != checkpoint.audit_hash:
            problems.append(
                f"audit entry {checkpoint.audit_entry_id}, the chain's head when checkpoint "
                f"{checkpoint.pk} was made, is "
                + ("missing" if kept is None else "not the entry it was (its hash differs)")
            )
    if files:
        report.files_checked = _check_files(leaves, problems, progress)
    return report


def _check_files(
    leaves: Sequence[custody.Leaf],
    problems: list[str],
    progress: Callable[[int, int], None] | None,
) -> int:
    stored = EvidenceFile.objects.in_bulk([pk for pk, _ in leaves])
    for done, (pk, sha256) in enumerate(leaves, start=1):
        file = stored.get(pk)
        if file is None:
            problems.append(f"F-{pk:05d} is gone (its row was deleted)")
        elif file.sha256 != sha256:
            problems.append(f"{file.code}: its recorded SHA-256 was changed in the database")
        else:
            try:
                now = rehash(file)
            except SealingError as error:
                problems.append(
                    f"{file.code}: its bytes on disk changed (they no longer decrypt: {error})"
                )
            except OSError as error:
                problems.append(f"{file.code}: its stored copy could not be read: {error}")
            else:
                if now != sha256:
                    problems.append(
                        f"{file.code}: its bytes on disk changed (SHA-256 now {now[:16]}…, "
                        f"stamped {sha256[:16]}…)"
                    )
        if progress is not None:
            progress(done, len(leaves))
    return len(leaves)


def latest(*, stamped: bool = False) -> Checkpoint | None:
    """The newest checkpoint (the newest stamped one, with `stamped`)."""
    found = Checkpoint.objects.order_by("-made_at", "-id")
    if stamped:
        found = found.exclude(token_der=None)
    return found.first()


def _holding(file: EvidenceFile, checkpoints: Iterable[Checkpoint]) -> Checkpoint | None:
    for checkpoint in checkpoints:
        if [file.pk, file.sha256] in checkpoint.leaves:
            return checkpoint
    return None


def inclusion_proof_for(file: EvidenceFile, checkpoint: Checkpoint | None = None) -> dict[str, Any]:
    """Everything an outsider needs to check that this file is in a stamped checkpoint.

    Without `checkpoint`, the newest stamped checkpoint that holds the file (else the newest
    that does, unstamped). The proof: leaf index, tree size, audit path, root; the statement
    whose SHA-256 the token signs; the token (base64 DER TimeStampResp). `docs/decisions/0029`
    says how to check each link with standard tools.
    """
    if checkpoint is None:
        ordered = Checkpoint.objects.order_by("-made_at", "-id")
        checkpoint = _holding(file, ordered.exclude(token_der=None).iterator()) or _holding(
            file, ordered.filter(token_der=None).iterator()
        )
        if checkpoint is None:
            raise CheckpointError(
                f"{file.code} is in no checkpoint yet (run `unseen custody checkpoint`)"
            )
    leaves = _leaves(checkpoint)
    try:
        index = leaves.index((file.pk, file.sha256))
    except ValueError:
        raise CheckpointError(
            f"{file.code} is not in checkpoint {checkpoint.pk} (made before it arrived?)"
        ) from None
    proof = custody.inclusion_proof(leaves, index)
    token = bytes(checkpoint.token_der) if checkpoint.token_der else None
    return {
        "file": file.pk,
        "code": file.code,
        "sha256": file.sha256,
        "leaf": {
            "hash": "SHA-256(0x00 || id as 8 bytes big-endian || sha256 as 32 bytes)",
            "value": custody.leaf_hash((file.pk, file.sha256)).hex(),
        },
        "leaf_index": index,
        "size": len(leaves),
        "proof": proof,
        "root": checkpoint.merkle_root,
        "checkpoint": checkpoint.pk,
        "statement": statement(checkpoint).decode(),
        "statement_sha256": custody.digest(statement(checkpoint)).hex(),
        "token": base64.b64encode(token).decode() if token else None,
        "tsa_url": checkpoint.tsa_url or None,
        "stamped_time": checkpoint.stamped_time.isoformat() if checkpoint.stamped_time else None,
    }


def tsa_url_setting() -> str:
    return str(getattr(settings, "UNSEEN_TSA_URL", "") or "")


def tsa_ca_setting() -> Path | None:
    value = getattr(settings, "UNSEEN_TSA_CA_FILE", "")
    return Path(value) if value else None


def sha256_of_chunks(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


VERIFY_TEXT = """How to check this file without Unseen

1. sha256sum {original}  -> must print {sha256}
2. proof.json: the leaf is SHA-256(0x00 || {file_id} as 8 bytes big-endian || the 32 bytes of
   that SHA-256) = {leaf}. Walk the audit path ("proof", leaf side first) as RFC 9162 section
   2.1.3.2 says, with leaf index {index} of {size}: node = SHA-256(0x01 || left || right). The
   result must be the root {root}.
3. statement.json holds that root; its SHA-256 is {statement_sha256}.
4. openssl ts -verify -data statement.json -in token.tsr -CAfile TSA-CA.pem
   (the timestamp authority's CA certificate, {tsa}) -> "Verification: OK". The token's time is
   the time by which the file existed as it is: openssl ts -reply -in token.tsr -text
"""


def export_file(
    file: EvidenceFile,
    out: Path,
    *,
    reason: str,
    checkpoint: Checkpoint | None = None,
    actor: str | None = None,
) -> Path:
    """Write the original, its manifest and its inclusion proof into `out`/F-00012/.

    The original is read through `storing` (a FILE_EXPORT custody event) and checked against its
    SHA-256 as it is written; what was written is removed if the check fails. Files in the
    folder: the original (named by code and type, never by the name it arrived with),
    `manifest.json`, `proof.json`, `statement.json` and `token.tsr` (when stamped) and `VERIFY.txt`.
    """
    import json
    import mimetypes

    from unseen.audit.models import Action

    from . import storing

    proof = inclusion_proof_for(file, checkpoint)
    folder = out / file.code
    folder.mkdir(parents=True, exist_ok=False)
    extension = mimetypes.guess_extension(file.content_type or "") or ".bin"
    original = folder / f"{file.code}{extension}"
    try:
        with original.open("xb") as handle:
            chunks = storing.open_original(
                file,
                user=None,
                reason=reason,
                action=Action.FILE_EXPORT,
                checkpoint=proof["checkpoint"],
            )
            for chunk in chunks:
                handle.write(chunk)
    except BaseException:
        original.unlink(missing_ok=True)
        folder.rmdir()
        raise
    manifest = {
        "file": file.pk,
        "code": file.code,
        "original": original.name,
        "sha256": file.sha256,
        "size": file.size,
        "content_type": file.content_type,
        "name_it_arrived_with": file.name,
        "title_en": file.title_en,
        "title_ko": file.title_ko,
        "creator": file.creator,
        "credit": file.credit,
        "licence": file.licence,
        "capture_date": file.capture_date.isoformat() if file.capture_date else None,
        "capture_date_precision": file.capture_date_precision,
        "capture_place": file.capture_place,
        "capture_country": file.capture_country,
        "redaction_state": file.redaction_state,
        "embedded_metadata": file.embedded_metadata,
        "exported_at": timezone.now().isoformat(),
        "exported_by": actor or "",
        "reason": reason,
    }
    for name, content in (("manifest.json", manifest), ("proof.json", proof)):
        text = json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True)
        (folder / name).write_text(text + "\n", encoding="utf-8")
    (folder / "statement.json").write_text(proof["statement"], encoding="ascii")
    if proof["token"]:
        (folder / "token.tsr").write_bytes(base64.b64decode(proof["token"]))
    (folder / "VERIFY.txt").write_text(
        VERIFY_TEXT.format(
            original=original.name,
            sha256=file.sha256,
            file_id=file.pk,
            leaf=proof["leaf"]["value"],
            index=proof["leaf_index"],
            size=proof["size"],
            root=proof["root"],
            statement_sha256=proof["statement_sha256"],
            tsa=proof["tsa_url"] or "not stamped yet",
        ),
        encoding="utf-8",
    )
    return folder
