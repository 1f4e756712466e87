"""Trusted time (issue #19 item 4): checkpoints stamped by a TSA on loopback, verified, and failing
once a stored file changes; inclusion proofs and exports that check without Unseen."""

import base64
import hashlib
import json
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from unseen.audit.models import Action, AuditEntry
from unseen.core import custody
from unseen.files import checkpoints, storing
from unseen.files.models import Checkpoint

pytestmark = pytest.mark.django_db

# Sound files of three kinds: content is checked on arrival.
CONTENTS = [factories.pdf("Roster of workers"), factories.jpeg_with_gps(), "계약서 사본\n".encode()]
NAMES = ["roster.pdf", "site.jpg", "copy.txt"]


@pytest.fixture
def stored():
    return [
        storing.receive([data], name=name, user=None).file
        for data, name in zip(CONTENTS, NAMES, strict=True)
    ]


@pytest.fixture
def ca_file(local_tsa, tmp_path):
    path = tmp_path / "tsa-ca.pem"
    path.write_bytes(local_tsa[1])
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def flip_a_byte(file):
    path = storing.blob_path(file.blob)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_checkpoint_covers_every_original_and_the_audit_head(stored):
    head = AuditEntry.objects.order_by("-id").first()
    made = checkpoints.make_checkpoint("tester")
    assert made.leaves == [[f.pk, f.sha256] for f in sorted(stored, key=lambda f: f.pk)]
    assert made.merkle_root == custody.merkle_root([(f.pk, f.sha256) for f in stored])
    assert (made.audit_entry_id, made.audit_hash) == (head.pk, head.entry_hash)
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == Action.CHECKPOINT
    assert entry.detail == {"step": "made", "merkle_root": made.merkle_root, "files": 3}
    # The request asks for the statement's SHA-256, with a nonce and the TSA's certificate.
    request = custody._parse_request(bytes(made.request_der))
    assert request.message_imprint.message == custody.digest(checkpoints.statement(made))
    assert request.nonce is not None
    assert request.cert_req


def test_stamped_by_the_local_tsa_verified_then_a_flipped_byte_fails(stored, local_tsa, ca_file):
    url, _ = local_tsa
    out, _ = run("custody", "checkpoint")
    made = Checkpoint.objects.get()
    assert out.startswith(f"checkpoint {made.pk}: root {made.merkle_root} over 3 files")
    out, _ = run("custody", "stamp", "--tsa", url, "--ca-file", str(ca_file))
    assert "verified" in out
    made.refresh_from_db()
    assert made.token_der and made.stamped_time and made.tsa_url == url
    out, _ = run("custody", "verify", "--ca-file", str(ca_file))
    print(out)
    assert f"checkpoint {made.pk} holds" in out
    assert "3 files re-hashed" in out

    flip_a_byte(stored[1])
    with pytest.raises(CommandError) as failed:
        run("custody", "verify", "--ca-file", str(ca_file))
    assert failed.value.returncode == 1
    report = checkpoints.verify(made, [ca_file.read_bytes()])
    print(report.problems)
    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"{stored[1].code}: its bytes on disk changed")
    assert report.stamp is not None  # the token itself still holds


def test_the_command_names_what_failed(stored, local_tsa, ca_file, capsys):
    url, _ = local_tsa
    made = checkpoints.make_checkpoint()
    checkpoints.stamp(made, url)
    flip_a_byte(stored[0])
    err = StringIO()
    with pytest.raises(CommandError, match="does not hold: 1 problem"):
        call_command("custody", "verify", "--ca-file", str(ca_file), stdout=StringIO(), stderr=err)
    assert f"FAILED: {stored[0].code}: its bytes on disk changed" in err.getvalue()


def test_another_authoritys_certificate_fails(stored, local_tsa, tmp_path):
    from tests.tsa import make_tsa

    made = checkpoints.make_checkpoint()
    checkpoints.stamp(made, local_tsa[0])
    stranger = make_tsa(tmp_path / "stranger", name="Stranger TSA")
    report = checkpoints.verify(made, [stranger.root_pem])
    assert [p for p in report.problems if "timestamp: the token does not verify" in p]
    assert report.stamp is None


def test_an_edited_checkpoint_or_audit_head_fails(stored, local_tsa, ca_file):
    made = checkpoints.make_checkpoint()
    checkpoints.stamp(made, local_tsa[0])
    roots = [ca_file.read_bytes()]
    assert checkpoints.verify(made, roots, files=False).holds
    # Someone drops a file from the list and recomputes the root: the token no longer fits.
    made.leaves = made.leaves[:2]
    made.merkle_root = custody.merkle_root([tuple(leaf) for leaf in made.leaves])
    report = checkpoints.verify(made, roots, files=False)
    assert [p for p in report.problems if "another digest" in p]
    # The list edited, the root left: the leaves no longer give the root.
    made.refresh_from_db()
    made.leaves[0][1] = "00" * 32
    assert [
        p for p in checkpoints.verify(made, roots).problems if "does not give its Merkle root" in p
    ]
    # The audit head named is gone or rewritten (here: the checkpoint claims another hash).
    made.refresh_from_db()
    made.audit_hash = "ab" * 32
    report = checkpoints.verify(made, roots, files=False)
    assert [p for p in report.problems if "not the entry it was" in p]


def test_an_unstamped_checkpoint_does_not_verify(stored, ca_file):
    made = checkpoints.make_checkpoint()
    report = checkpoints.verify(made, [ca_file.read_bytes()])
    assert report.problems == [
        f"checkpoint {made.pk} is not stamped (unseen custody stamp --checkpoint {made.pk} --tsa URL)"
    ]


def test_stamp_refusals_are_clear(stored, settings):
    with pytest.raises(CommandError, match="no checkpoint yet"):
        run("custody", "stamp", "--tsa", "http://127.0.0.1:9/")
    checkpoints.make_checkpoint()
    settings.UNSEEN_TSA_URL = ""
    with pytest.raises(CommandError, match=r"--tsa URL \(or UNSEEN_TSA_URL"):
        run("custody", "stamp")
    with pytest.raises(CommandError, match="could not reach the timestamp authority"):
        run("custody", "stamp", "--tsa", "http://127.0.0.1:9/", "--timeout", "2")
    settings.UNSEEN_TSA_CA_FILE = ""
    with pytest.raises(CommandError, match="--ca-file PEM"):
        run("custody", "verify")


def test_settings_are_the_defaults(stored, local_tsa, ca_file, settings):
    settings.UNSEEN_TSA_URL, settings.UNSEEN_TSA_CA_FILE = local_tsa[0], str(ca_file)
    checkpoints.make_checkpoint()
    assert "verified" in run("custody", "stamp")[0]
    assert "holds" in run("custody", "verify")[0]


def test_the_request_and_statement_can_be_written_for_stamping_by_hand(stored, tmp_path, local_tsa):
    run(
        "custody",
        "checkpoint",
        "--out",
        str(tmp_path / "r.tsq"),
        "--statement",
        str(tmp_path / "s.json"),
    )
    made = Checkpoint.objects.get()
    assert (tmp_path / "r.tsq").read_bytes() == bytes(made.request_der)
    assert (tmp_path / "s.json").read_bytes() == checkpoints.statement(made)


def test_a_proof_checks_without_unseen(stored, local_tsa, ca_file, tmp_path):
    made = checkpoints.make_checkpoint()
    checkpoints.stamp(made, local_tsa[0])
    file = stored[2]
    out, _ = run("files", "proof", str(file.pk))
    proof = json.loads(out)
    assert proof["file"] == file.pk and proof["checkpoint"] == made.pk
    assert proof["sha256"] == hashlib.sha256(CONTENTS[2]).hexdigest()
    assert custody.verify_inclusion(
        (proof["file"], proof["sha256"]),
        proof["leaf_index"],
        proof["size"],
        proof["proof"],
        proof["root"],
    )
    assert json.loads(proof["statement"])["root"] == proof["root"]
    (tmp_path / "statement.json").write_text(proof["statement"])
    (tmp_path / "token.tsr").write_bytes(base64.b64decode(proof["token"]))
    checked = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            "statement.json",
            "-in",
            "token.tsr",
            "-CAfile",
            str(ca_file),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in checked.stdout, checked.stderr


def test_a_file_newer_than_every_checkpoint_has_no_proof(stored):
    made = checkpoints.make_checkpoint()
    later = storing.receive([b"arrived after the checkpoint"], name="late.txt", user=None).file
    with pytest.raises(custody.CustodyError, match="is not in checkpoint"):
        checkpoints.inclusion_proof_for(later, made)
    with pytest.raises(CommandError, match="in no checkpoint yet"):
        run("files", "proof", str(later.pk))


def test_export_writes_the_file_its_manifest_and_its_proof(stored, local_tsa, ca_file, tmp_path):
    made = checkpoints.make_checkpoint()
    checkpoints.stamp(made, local_tsa[0])
    file = stored[0]
    out = tmp_path / "out"
    run("files", "export", str(file.pk), "--out", str(out), "--reason", "for the tribunal")
    folder = out / file.code
    written = {p.name for p in folder.iterdir()}
    assert {"manifest.json", "proof.json", "statement.json", "token.tsr", "VERIFY.txt"} <= written
    original = next(folder / name for name in written if name.startswith(file.code))
    assert original.read_bytes() == CONTENTS[0]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(CONTENTS[0]).hexdigest()
    assert manifest["licence"] == "unknown" and manifest["redaction_state"] == "pending"
    proof = json.loads((folder / "proof.json").read_text())
    assert custody.verify_inclusion(
        (file.pk, manifest["sha256"]),
        proof["leaf_index"],
        proof["size"],
        proof["proof"],
        proof["root"],
    )
    # The export is a custody event, with its reason.
    entry = AuditEntry.objects.filter(action=Action.FILE_EXPORT).get()
    assert entry.target_id == str(file.pk) and entry.detail["reason"] == "for the tribunal"


def test_an_export_of_a_changed_file_leaves_nothing(stored, tmp_path):
    checkpoints.make_checkpoint()
    flip_a_byte(stored[0])
    with pytest.raises(CommandError):
        run("files", "export", str(stored[0].pk), "--out", str(tmp_path / "out"), "--reason", "x")
    assert not (tmp_path / "out" / stored[0].code).exists()


def test_the_newest_stamped_checkpoint_holding_the_file_is_chosen(stored, local_tsa):
    first = checkpoints.make_checkpoint()
    checkpoints.stamp(first, local_tsa[0])
    checkpoints.make_checkpoint()  # newer, not stamped
    proof = checkpoints.inclusion_proof_for(stored[0])
    assert proof["checkpoint"] == first.pk and proof["token"]
    with pytest.raises(custody.CustodyError, match="already stamped"):
        checkpoints.stamp(first, local_tsa[0])


def test_a_reply_fetched_by_hand_is_kept_if_it_answers_this_request(
    stored, local_tsa, ca_file, tmp_path
):
    url, _ = local_tsa
    run("custody", "checkpoint", "--out", str(tmp_path / "r.tsq"))
    made = Checkpoint.objects.get()
    # Elsewhere, with network: the request is posted as curl would.
    (tmp_path / "r.tsr").write_bytes(custody.request_token(url, (tmp_path / "r.tsq").read_bytes()))
    # A reply to another request (another nonce, same statement) is refused.
    other = custody.request_token(url, custody.timestamp_request(checkpoints.statement(made)))
    (tmp_path / "other.tsr").write_bytes(other)
    with pytest.raises(CommandError, match="nonce differs"):
        run("custody", "stamp", "--reply", str(tmp_path / "other.tsr"))
    out, _ = run("custody", "stamp", "--reply", str(tmp_path / "r.tsr"))
    assert "signature not verified" in out
    made.refresh_from_db()
    assert made.tsa_url == "file:r.tsr"
    assert "holds" in run("custody", "verify", "--ca-file", str(ca_file))[0]
