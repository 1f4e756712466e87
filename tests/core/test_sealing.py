"""Sealed values hide the length of what they hold (#15 item 7)."""

import base64
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from unseen import private_files
from unseen.core import sealing

KEY = bytes(range(32))
CONTEXT = "unseen/registry.personidentity/full_name/person=1"


def unpadded_seal(plaintext: str) -> str:
    """A value as format 1 sealed it before #15: the bare text."""
    header = struct.pack(">BI", 1, 3)
    nonce = b"\x00" * 12
    body = AESGCM(KEY).encrypt(nonce, plaintext.encode(), header + CONTEXT.encode())
    return "v1:" + base64.urlsafe_b64encode(header + nonce + body).decode()


def test_it_seals_short_and_long_names_to_the_same_length():
    names = ["Il", "Kim Il", "Ri Chol Su", "Pak Song Chol of Hamhung", "리철수", "x" * 63]
    assert len({len(sealing.seal(KEY, 1, name, CONTEXT)) for name in names}) == 1


def test_it_opens_what_it_padded_whatever_the_text_ends_with():
    for text in ["a", "a\x00", "\x80", "x" * 63, "x" * 64, "y" * 200, "이름\x00\x00"]:
        assert sealing.open_sealed(KEY, sealing.seal(KEY, 1, text, CONTEXT), CONTEXT) == text


def test_longer_values_grow_in_whole_blocks_only():
    lengths = {len(sealing.seal(KEY, 1, "z" * n, CONTEXT)) for n in range(64, 127)}
    assert len(lengths) == 1


def test_it_still_opens_values_sealed_before_padding():
    old = unpadded_seal("Ri Chol Su")
    assert sealing.sealed_version(old) == 3
    assert not sealing.is_padded(old)
    assert sealing.open_sealed(KEY, old, CONTEXT) == "Ri Chol Su"


def test_the_format_byte_cannot_be_switched():
    raw = bytearray(base64.urlsafe_b64decode(sealing.seal(KEY, 1, "Kim Il", CONTEXT)[3:]))
    raw[0] = 1  # claim "no padding" to get the padded bytes back
    forged = "v1:" + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(sealing.SealingError):
        sealing.open_sealed(KEY, forged, CONTEXT)


def test_it_refuses_a_key_file_that_others_can_read(tmp_path):
    path = tmp_path / "keys" / "some.key"
    private_files.write_new(path, sealing.encode_key(KEY) + "\n")
    assert sealing.read_key_file(path) == KEY
    path.chmod(0o640)
    with pytest.raises(sealing.KeyFileError, match="mode 0640"):
        sealing.read_key_file(path)
