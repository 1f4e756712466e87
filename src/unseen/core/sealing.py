"""Authenticated encryption for the identity vault and for backups (AES-256-GCM, `cryptography`).

Pure Python: key storage and the database live in `unseen.registry.keys`. Three layers:

- a master key (outside the database) wraps data keys: `wrap_key` / `unwrap_key`;
- a data key seals each vault field with a fresh random nonce and associated data naming the
  table, field and row, so a ciphertext copied into another row or field does not open:
  `seal` / `open_sealed`;
- keys derived from the data key (HKDF), one per indexed field, compute blind indexes: keyed
  HMAC-SHA256 of a normalised value, equal for equal values, useless without the key:
  `blind_index`.

Field values are padded to a multiple of 64 bytes before sealing, so a sealed name's length does
not give away the name's length.

Files (uploaded photos) are sealed whole, each under a random key of its own that is itself sealed
as a field under the data key: `seal_bytes` / `open_bytes`. Evidence files, up to gigabytes, are
sealed as they stream, in segments, under a key of their own: `SegmentSealer` / `open_segments`.
Backups are sealed in chunks under a
key derived from a passphrase with scrypt: `seal_stream` / `open_stream`.
"""

import base64
import hashlib
import hmac
import os
import re
import struct
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32
NONCE_BYTES = 12
# First byte of every sealed field. Format 1 sealed the bare text, so its length showed the
# length of a name; format 2 pads the text first (see `_pad`). Both open; new seals use 2.
UNPADDED_FORMAT = 1
FIELD_FORMAT = 2
FIELD_FORMATS = (UNPADDED_FORMAT, FIELD_FORMAT)
PAD_BLOCK = 64  # sealed texts are a multiple of this many bytes (plus 1): most names fit in one
SEALED_PREFIX = "v1:"  # sealed fields are stored as text: prefix + urlsafe base64


class SealingError(Exception):
    """A ciphertext did not open: wrong key, wrong row or field, or tampered bytes."""


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> str:
    """A short public name for a key (a hash of it, never the key); shown by `unseen keys status`."""
    return hashlib.sha256(b"unseen key id\x00" + key).hexdigest()[:16]


def decode_key(text: str) -> bytes:
    """A 256-bit key given as base64 (standard or urlsafe, padding optional)."""
    cleaned = text.strip()
    padded = cleaned + "=" * (-len(cleaned) % 4)
    try:
        key = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except ValueError as error:
        raise SealingError("a master key must be base64") from error
    if len(key) != KEY_BYTES:
        raise SealingError(f"a master key must be {KEY_BYTES} bytes ({len(key)} given)")
    return key


def encode_key(key: bytes) -> str:
    """A key as urlsafe base64, the form `decode_key` reads."""
    return base64.urlsafe_b64encode(key).decode("ascii")


# --- Key files: refused when others may read them (written outside the core, by private_files) ---


class KeyFileError(SealingError):
    """A key file is missing, unreadable, open to others or does not hold a key."""


def read_key_file(path: Path) -> bytes:
    """The key in `path`; never creates one.

    A missing file is an error, not a reason to make a new key: an unmounted volume or a mistyped
    path would otherwise start a vault (or an audit chain) that nobody has backed up. A file that
    its group or others may read or write is refused: whoever can read it can open the vault.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileError(f"the key file {path} does not exist") from None
    if mode & 0o077:
        raise KeyFileError(
            f"the key file {path} is open to its group or others (mode {mode & 0o777:04o}): "
            f"run `chmod 600 {path}`, and ask who else may have copied it"
        )
    try:
        return decode_key(path.read_text())
    except SealingError as error:
        raise KeyFileError(f"the key file {path} holds no usable key: {error}") from None


def derive_key(key: bytes, label: str) -> bytes:
    """A separate key for one purpose (blind indexes, ...), derived with HKDF-SHA256."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label.encode()).derive(
        key
    )


def wrap_key(master: bytes, data_key: bytes, context: str) -> bytes:
    """The data key encrypted under the master key, bound to `context`."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master).encrypt(nonce, data_key, context.encode())


def unwrap_key(master: bytes, wrapped: bytes, context: str) -> bytes:
    """The data key from `wrap_key`; SealingError if this master key or context does not open it."""
    try:
        return AESGCM(master).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context.encode()
        )
    except (InvalidTag, ValueError) as error:
        raise SealingError("this master key does not unwrap the data key") from error


def _pad(data: bytes) -> bytes:
    """One 0x80 byte, then zeros up to the next multiple of PAD_BLOCK (ISO/IEC 7816-4).

    The marker always comes, so a text that ends in zero bytes or fills a block exactly is
    unpadded without doubt: "Kim Il" and "Ri Chol Su Pak" seal to the same length.
    """
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise SealingError("a sealed value's padding is malformed")
    return end[:-1]


def seal(key: bytes, version: int, plaintext: str, context: str) -> str:
    """Encrypt one field; `version` names the data key, `context` the table, field and row.

    The text is padded to a multiple of PAD_BLOCK bytes before it is sealed, so the stored length
    tells only which block size a value falls in, not how long a name is.
    """
    if not plaintext:
        return ""
    return _seal(key, version, _pad(plaintext.encode("utf-8")), context, FIELD_FORMAT)


def seal_raw(key: bytes, version: int, data: bytes, context: str) -> str:
    """`seal` for bytes of a fixed length (a TOTP secret), unpadded.

    Their length tells nothing, and django-otp's column holds a short secret only as it is.
    """
    return _seal(key, version, data, context, UNPADDED_FORMAT)


def _seal(key: bytes, version: int, data: bytes, context: str, form: int) -> str:
    header = struct.pack(">BI", form, version)
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(key).encrypt(nonce, data, header + context.encode())
    return SEALED_PREFIX + base64.urlsafe_b64encode(header + nonce + body).decode("ascii")


def sealed_version(sealed: str) -> int:
    """The data key version a sealed field was written under."""
    raw = _raw(sealed)
    return int(struct.unpack(">BI", raw[:5])[1])


def is_sealed(value: str) -> bool:
    """Whether a stored text is a sealed value."""
    return value.startswith(SEALED_PREFIX)


def _raw(sealed: str) -> bytes:
    if not is_sealed(sealed):
        raise SealingError("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(SEALED_PREFIX) :].encode("ascii"))
    except ValueError as error:
        raise SealingError("a sealed value is not base64") from error
    if len(raw) < 5 + NONCE_BYTES + 16 or raw[0] not in FIELD_FORMATS:
        raise SealingError("unknown sealed format")
    return raw


def open_sealed(key: bytes, sealed: str, context: str) -> str:
    """The text sealed in a field ("" stays ""); SealingError if key, row or field differ."""
    if not sealed:
        return ""
    return open_raw(key, sealed, context).decode("utf-8")


def open_raw(key: bytes, sealed: str, context: str) -> bytes:
    """The bytes sealed in a field, unpadded; SealingError if key, row or field differ."""
    raw = _raw(sealed)
    header, nonce, body = raw[:5], raw[5 : 5 + NONCE_BYTES], raw[5 + NONCE_BYTES :]
    try:
        opened = AESGCM(key).decrypt(nonce, body, header + context.encode())
    except InvalidTag as error:
        raise SealingError("sealed value does not open here (wrong key, row or field)") from error
    # The format byte is in the associated data, so it cannot be switched to skip the unpadding.
    return opened if raw[0] == UNPADDED_FORMAT else _unpad(opened)


def is_padded(sealed: str) -> bool:
    """Whether a sealed value hides its length (format 2); format 1 values are re-sealed on rotation."""
    return bool(sealed) and _raw(sealed)[0] == FIELD_FORMAT


# --- Files: bytes sealed under a key of their own ---------------------------------------------

FILE_MAGIC = b"UNSEEN-SEALED-FILE-1\n"


def seal_bytes(key: bytes, data: bytes, context: str) -> bytes:
    """Encrypt a whole file (photos are at most a few MB): magic, nonce, ciphertext and tag."""
    nonce = os.urandom(NONCE_BYTES)
    return FILE_MAGIC + nonce + AESGCM(key).encrypt(nonce, data, FILE_MAGIC + context.encode())


def is_sealed_bytes(blob: bytes) -> bool:
    """Whether a blob is a file sealed by `seal_bytes`."""
    return blob.startswith(FILE_MAGIC)


def open_bytes(key: bytes, blob: bytes, context: str) -> bytes:
    """The bytes of a file sealed by `seal_bytes`; SealingError if altered or the key differs."""
    if not is_sealed_bytes(blob) or len(blob) < len(FILE_MAGIC) + NONCE_BYTES + 16:
        raise SealingError("not a sealed file")
    nonce = blob[len(FILE_MAGIC) : len(FILE_MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(
            nonce, blob[len(FILE_MAGIC) + NONCE_BYTES :], FILE_MAGIC + context.encode()
        )
    except InvalidTag as error:
        raise SealingError("sealed file does not open (wrong key, or altered)") from error


def normalise_name(text: str) -> str:
    """Case, width, punctuation and spacing do not matter: `Ri Chol-Su` equals `ri  chol su`."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def blind_index(key: bytes, value: str) -> str:
    """Keyed HMAC-SHA256 of an already normalised value; empty values index to ""."""
    if not value:
        return ""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


# --- Backups: chunked AES-GCM under a passphrase-derived key --------------------------------

STREAM_MAGIC = b"UNSEEN-BACKUP-1\n"
STREAM_CHUNK = 1 << 20
# The passphrase is all that protects a backup's testimonies, password hashes and second factors:
# N = 2^17 with r = 8 costs 128 MiB and about half a second per guess (2^15, used before #15, cost
# a quarter of that). The header names the parameters, so older backups still open.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 17, 8, 1
# A header is read before anything is authenticated: a crafted one must not make us spend hours or
# all the memory deriving a key, so parameters beyond these are refused before deriving.
SCRYPT_MAX_N, SCRYPT_MAX_R, SCRYPT_MAX_P = 1 << 20, 16, 4
SCRYPT_MAX_MEMORY = 1 << 30  # scrypt needs 128 * N * r bytes
_HEADER = len(STREAM_MAGIC) + 12 + 16 + 7


def _passphrase_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    if len(passphrase) < 12:
        raise SealingError("a backup passphrase needs at least 12 characters")
    check_scrypt_parameters(n, r, p)
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def check_scrypt_parameters(n: int, r: int, p: int) -> None:
    """Refuse scrypt parameters no backup of ours uses, before any work is spent on them."""
    if n < 2 or n & (n - 1) or n > SCRYPT_MAX_N:
        raise SealingError(f"unsupported scrypt parameter N={n} (a power of 2 up to 2^20)")
    if not 1 <= r <= SCRYPT_MAX_R or not 1 <= p <= SCRYPT_MAX_P:
        raise SealingError(f"unsupported scrypt parameters r={r}, p={p} (r <= 16, p <= 4)")
    if 128 * n * r > SCRYPT_MAX_MEMORY:
        raise SealingError(f"scrypt parameters N={n}, r={r} would need more than 1 GiB")


class StreamSealer:
    """A writable file whose bytes are sealed into `target` as they come (`seal_stream`'s format).

    Nothing is kept but the chunk being filled, so a backup never exists in clear on disk.
    `close()` seals the last chunk; without it the output does not open (it reads as truncated).
    Each chunk's nonce is the prefix plus its number, and its associated data is the header, its
    number and whether it is the last one: chunks cannot be reordered, dropped or truncated.
    """

    def __init__(
        self,
        passphrase: str,
        target: BinaryIO,
        *,
        n: int = SCRYPT_N,
        r: int = SCRYPT_R,
        p: int = SCRYPT_P,
    ) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._header = STREAM_MAGIC + struct.pack(">III", n, r, p) + salt + self._prefix
        self._aead = AESGCM(_passphrase_key(passphrase, salt, n, r, p))
        self._target = target
        self._buffer = bytearray()
        self._index = 0
        self.closed = False
        target.write(self._header)

    def write(self, data: bytes) -> int:
        """Buffer `data`, sealing every full chunk once more follows; returns len(data)."""
        if self.closed:
            raise ValueError("write to a closed StreamSealer")
        self._buffer += data
        # A full chunk is sealed only once more follows, since the last one is marked as last.
        while len(self._buffer) > STREAM_CHUNK:
            self._seal(bytes(self._buffer[:STREAM_CHUNK]), last=False)
            del self._buffer[:STREAM_CHUNK]
        return len(data)

    def flush(self) -> None:
        """Flush the target (the chunk being filled stays buffered until it is full or closed)."""
        self._target.flush()

    def close(self) -> None:
        """Seal the last chunk and mark it last; without this the output reads as truncated."""
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        body = self._aead.encrypt(
            _chunk_nonce(self._prefix, self._index, last), chunk, self._header
        )
        self._target.write(struct.pack(">I", len(body)) + body)
        self._index += 1


def seal_stream(passphrase: str, source: BinaryIO, target: BinaryIO) -> None:
    """Encrypt a stream: header (magic, scrypt parameters, salt, nonce prefix), then chunks."""
    sealer = StreamSealer(passphrase, target)
    while chunk := source.read(STREAM_CHUNK):
        sealer.write(chunk)
    sealer.close()


def _chunk_nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def open_stream(passphrase: str, source: BinaryIO) -> Iterator[bytes]:
    """Decrypted chunks of a `seal_stream` output; raises SealingError on any tampering.

    Each chunk is authenticated before it is yielded; the stream as a whole only once the last
    one has been (read the iterator to its end).
    """
    header = source.read(_HEADER)
    if len(header) != _HEADER or not header.startswith(STREAM_MAGIC):
        raise SealingError("not an Unseen backup")
    n, r, p = struct.unpack(">III", header[len(STREAM_MAGIC) : len(STREAM_MAGIC) + 12])
    salt = header[len(STREAM_MAGIC) + 12 : len(STREAM_MAGIC) + 28]
    prefix = header[len(STREAM_MAGIC) + 28 :]
    aead = AESGCM(_passphrase_key(passphrase, salt, n, r, p))
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) != 4:
            raise SealingError("the backup is truncated")
        (size,) = struct.unpack(">I", size_bytes)
        if size > STREAM_CHUNK + 16:
            raise SealingError("the backup was altered (a chunk is too long)")
        body = source.read(size)
        if len(body) != size:
            raise SealingError("the backup is truncated")
        last = _at_end(source)
        try:
            chunk = aead.decrypt(_chunk_nonce(prefix, index, last), body, header)
        except InvalidTag as error:
            raise SealingError("wrong passphrase, or the backup was altered") from error
        yield chunk
        if last:
            return
        index += 1


def _at_end(source: BinaryIO) -> bool:
    position = source.tell()
    at_end = source.read(1) == b""
    source.seek(position)
    return at_end


# --- Evidence files: segmented AES-GCM under a file key (Rogaway's STREAM) ------------------------

SEGMENT_MAGIC = b"UNSEEN-STREAM-1\n"
SEGMENT_BYTES = 1 << 20
TAG_BYTES = 16
_PREFIX_BYTES = 7
# A header is read before anything is authenticated: a crafted segment size must not make a reader
# allocate gigabytes.
MAX_SEGMENT_BYTES = 64 << 20
SEGMENT_HEADER_BYTES = len(SEGMENT_MAGIC) + 4 + _PREFIX_BYTES


class SegmentSealer:
    """Seal a stream in segments as it comes: feed `update`, end with `finish`; constant memory.

    Output: a header (magic, segment size, a random 7-byte nonce prefix), then each segment of
    `segment` plaintext bytes (the last one shorter, possibly empty) as AES-256-GCM ciphertext and
    tag. A segment's nonce is the prefix, its 4-byte big-endian number and a byte saying whether
    it is the last; its associated data is the header and `context`. So segments cannot be
    reordered, dropped, cut off or moved into another file, and a file without its last segment
    does not open. `update` returns the bytes to write so far (the header comes with the first);
    a segment is sealed only once more data follows it, as the last one must be marked last.
    """

    def __init__(self, key: bytes, context: str, *, segment: int = SEGMENT_BYTES) -> None:
        if not 0 < segment <= MAX_SEGMENT_BYTES:
            raise ValueError(f"a segment is 1 byte to {MAX_SEGMENT_BYTES} bytes ({segment} given)")
        self._aead = AESGCM(key)
        self._segment = segment
        self._prefix = os.urandom(_PREFIX_BYTES)
        self.header = SEGMENT_MAGIC + struct.pack(">I", segment) + self._prefix
        self._associated = self.header + context.encode()
        self._buffer = bytearray()
        self._index = 0
        self._started = False
        self.finished = False
        self.sealed_bytes = 0  # everything returned so far, header included

    def update(self, data: bytes) -> bytes:
        """Buffer `data`; the sealed bytes ready to write (every full segment that more follows)."""
        if self.finished:
            raise ValueError("update after finish")
        self._buffer += data
        out = [self._start()]
        while len(self._buffer) > self._segment:
            out.append(self._seal(bytes(self._buffer[: self._segment]), last=False))
            del self._buffer[: self._segment]
        return self._count(b"".join(out))

    def finish(self) -> bytes:
        """The last segment (what is buffered, marked last); the output opens only with it."""
        if self.finished:
            raise ValueError("finish called twice")
        out = self._start() + self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self.finished = True
        return self._count(out)

    def _start(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return self.header

    def _count(self, out: bytes) -> bytes:
        self.sealed_bytes += len(out)
        return out

    def _seal(self, chunk: bytes, *, last: bool) -> bytes:
        if self._index > 0xFFFFFFFF:
            raise SealingError("a sealed stream holds at most 2^32 segments")
        nonce = _chunk_nonce(self._prefix, self._index, last)
        self._index += 1
        return self._aead.encrypt(nonce, chunk, self._associated)


def sealed_length(size: int, segment: int = SEGMENT_BYTES) -> int:
    """How many bytes `SegmentSealer` writes for `size` plaintext bytes (for a disk-space check)."""
    segments = max(1, -(-size // segment))
    return SEGMENT_HEADER_BYTES + size + segments * TAG_BYTES


def open_segments(key: bytes, source: BinaryIO, context: str) -> Iterator[bytes]:
    """The plaintext of a `SegmentSealer` output, one segment at a time; SealingError on tampering.

    Each segment is authenticated before it is yielded; the stream as a whole (nothing cut off the
    end) only once the last one has been: read the iterator to its end before trusting the whole.
    Memory: two segments.
    """
    header = source.read(SEGMENT_HEADER_BYTES)
    if len(header) != SEGMENT_HEADER_BYTES or not header.startswith(SEGMENT_MAGIC):
        raise SealingError("not a sealed evidence file")
    (segment,) = struct.unpack(">I", header[len(SEGMENT_MAGIC) : len(SEGMENT_MAGIC) + 4])
    if not 0 < segment <= MAX_SEGMENT_BYTES:
        raise SealingError(f"a sealed file's segment size is out of range ({segment})")
    prefix = header[len(SEGMENT_MAGIC) + 4 :]
    aead = AESGCM(key)
    associated = header + context.encode()
    size = segment + TAG_BYTES
    index = 0
    body = _read_fully(source, size)
    while True:
        if len(body) < TAG_BYTES:
            raise SealingError("the sealed file is truncated")
        following = _read_fully(source, size) if len(body) == size else b""
        last = not following
        try:
            chunk = aead.decrypt(_chunk_nonce(prefix, index, last), body, associated)
        except InvalidTag as error:
            raise SealingError(
                "the sealed file does not open: altered, truncated, or another file's key"
            ) from error
        yield chunk
        if last:
            return
        index += 1
        body = following


def _read_fully(source: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end (a pipe or socket may return less per read)."""
    parts, wanted = [], size
    while wanted:
        part = source.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)
