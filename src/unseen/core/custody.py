"""Trusted time for evidence files: a Merkle tree over their hashes and an RFC 3161 timestamp.

Pure Python, no Django: `unseen.files.checkpoints` feeds it rows and stores what it returns.

**The tree** is RFC 6962's (Certificate Transparency, section 2.1), so its proofs are the ones any
CT tool checks. Each leaf is one evidence file, written as 40 bytes: the file's id as 8 big-endian
bytes, then the 32 bytes of its SHA-256. The id is in the leaf so that a proof says "file F-00012
had these bytes", not only "these bytes were somewhere in the archive": the custody record names
files by id. Hashing, with the two prefixes that keep a leaf from passing for a node:

    leaf hash  = SHA-256(0x00 || id (8 bytes, big-endian) || sha256 (32 bytes))
    node hash  = SHA-256(0x01 || left || right)
    empty tree = SHA-256("")

A tree of n > 1 leaves splits at k, the largest power of two below n: root = node(MTH(first k),
MTH(the rest)). An odd leaf is not duplicated (Bitcoin's way, which lets two lists share a root).

**The checkpoint statement** is what gets timestamped: canonical JSON (sorted keys, no spaces,
ASCII) of the root, the number of leaves, the newest audit entry's id and hash, and when it was
made. Its SHA-256 is the checkpoint digest, and the RFC 3161 request's message imprint is that
digest, so `openssl ts -verify -data statement.json -in token.tsr -CAfile tsa-ca.pem` checks a
token without Unseen.

**The token** kept is the TSA's whole TimeStampResp (status and token), DER, as a TSA returns it
over HTTP and as `openssl ts -reply` writes it: `verify_token` checks its signature up to one of
the roots given, the TSA certificate's critical timeStamping key usage, the nonce of the request
and the message imprint against the digest.
"""

import hashlib
import json
import ssl
import struct
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import cryptography.x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)
from rfc3161_client.tsp import TimeStampRequest

STATEMENT_KIND = "unseen-checkpoint/1"
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
REQUEST_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY_BYTES = 1 << 20  # a timestamp reply is a few kilobytes; a megabyte is not one

# One leaf: (file id, the file's SHA-256 as 64 hex digits).
Leaf = tuple[int, str]


class CustodyError(Exception):
    """A proof, statement or timestamp could not be made or did not hold; the message says why."""


# --- the Merkle tree ---------------------------------------------------------------------------


def leaf_hash(leaf: Leaf) -> bytes:
    """The RFC 6962 leaf hash of one file: SHA-256(0x00 || id (8 bytes BE) || sha256)."""
    file_id, sha256 = leaf
    if not 0 <= file_id < 1 << 64:
        raise CustodyError(f"file id {file_id} does not fit in 8 bytes")
    try:
        digest = bytes.fromhex(sha256)
    except ValueError:
        raise CustodyError(f"file {file_id}: {sha256!r} is not a hex SHA-256") from None
    if len(digest) != 32:
        raise CustodyError(f"file {file_id}: a SHA-256 has 32 bytes, not {len(digest)}")
    return hashlib.sha256(LEAF_PREFIX + struct.pack(">Q", file_id) + digest).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _root_of(hashes: Sequence[bytes]) -> bytes:
    # Bottom-up, level by level: the same tree as RFC 6962's recursive split (a lone last node
    # moves up unchanged), without recursion, so a million files do not need a deep stack.
    if not hashes:
        return hashlib.sha256(b"").digest()
    level = list(hashes)
    while len(level) > 1:
        paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def merkle_root(leaves: Sequence[Leaf]) -> str:
    """The root (hex) of the tree over the leaves, in the order given."""
    return _root_of([leaf_hash(leaf) for leaf in leaves]).hex()


def _path(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    # RFC 6962 section 2.1.1, PATH(m, D[n]); the depth is log2(n), so recursion is fine here.
    if len(hashes) <= 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*_path(index, hashes[:k]), _root_of(hashes[k:])]
    return [*_path(index - k, hashes[k:]), _root_of(hashes[:k])]


def inclusion_proof(leaves: Sequence[Leaf], index: int) -> list[str]:
    """The audit path (hex hashes, leaf side first) proving leaves[index] is in the tree."""
    if not 0 <= index < len(leaves):
        raise CustodyError(f"leaf {index} is not in a tree of {len(leaves)}")
    return [step.hex() for step in _path(index, [leaf_hash(leaf) for leaf in leaves])]


def verify_inclusion(leaf: Leaf, index: int, size: int, proof: Sequence[str], root: str) -> bool:
    """Whether `proof` shows `leaf` at `index` of a tree of `size` leaves with this root.

    RFC 9162 section 2.1.3.2, which checks the proof's length as it goes: a proof with a step
    too many or too few fails, as does any changed leaf, index, size, step or root.
    """
    if not 0 <= index < size:
        return False
    try:
        steps = [bytes.fromhex(step) for step in proof]
        expected = bytes.fromhex(root)
        current = leaf_hash(leaf)
    except (ValueError, CustodyError):
        return False
    fn, sn = index, size - 1
    for step in steps:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            current = _node(step, current)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            current = _node(current, step)
        fn >>= 1
        sn >>= 1
    return sn == 0 and current == expected


# --- the statement that gets timestamped -------------------------------------------------------


def statement(
    *, root: str, size: int, audit_entry_id: int | None, audit_hash: str, made_at: datetime
) -> bytes:
    """The checkpoint statement: canonical JSON, the bytes whose SHA-256 the TSA signs."""
    if made_at.tzinfo is None:
        raise CustodyError("a checkpoint's time must carry its time zone")
    body: dict[str, Any] = {
        "kind": STATEMENT_KIND,
        "root": root,
        "size": size,
        "audit_entry_id": audit_entry_id,
        "audit_hash": audit_hash,
        "made_at": made_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def digest(statement_bytes: bytes) -> bytes:
    """The checkpoint digest: SHA-256 of the statement (the request's message imprint)."""
    return hashlib.sha256(statement_bytes).digest()


# --- RFC 3161 ----------------------------------------------------------------------------------


def timestamp_request(statement_bytes: bytes) -> bytes:
    """An RFC 3161 request (DER) for the statement: SHA-256 imprint, a random nonce, certReq.

    The imprint is `digest(statement_bytes)`. The nonce ties the reply to this request (a TSA's
    old reply replayed does not verify); certReq asks the TSA to put its certificate in the token,
    so the token can be checked with the TSA's root certificate alone.
    """
    if not statement_bytes:
        raise CustodyError("nothing to timestamp")
    request = (
        TimestampRequestBuilder()
        .data(statement_bytes)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    return request.as_bytes()


def _parse_request(request_der: bytes) -> TimeStampRequest:
    from rfc3161_client import _rust

    try:
        parsed: TimeStampRequest = _rust.parse_timestamp_request(request_der)
    except ValueError as error:
        raise CustodyError(f"not an RFC 3161 request: {error}") from None
    return parsed


def _checked_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CustodyError(f"a timestamp authority is an http:// or https:// URL, not {url!r}")
    return url


def request_token(url: str, request_der: bytes, timeout: float = 30.0) -> bytes:
    """POST the request to the TSA at `url` (RFC 3161 section 3.4); its reply, DER, if granted.

    Only the URL the operator names is ever contacted; there is no default authority. Raises
    CustodyError naming the URL and what went wrong: unreachable, an HTTP error, a reply that is
    not a timestamp reply, or a refusal (with the TSA's status text).
    """
    _checked_url(url)
    http_request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=request_der,
        method="POST",
        headers={"Content-Type": REQUEST_TYPE, "Accept": REPLY_TYPE},
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (scheme checked above)
            http_request, timeout=timeout, context=ssl.create_default_context()
        ) as reply:
            body: bytes = reply.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise CustodyError(f"{url} answered HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise CustodyError(f"could not reach the timestamp authority at {url}: {reason}") from None
    if len(body) > MAX_REPLY_BYTES:
        raise CustodyError(f"{url} sent more than {MAX_REPLY_BYTES} bytes: not a timestamp reply")
    response = _parse_response(body, source=url)
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = "; ".join(response.status_string) or "no reason given"
        raise CustodyError(
            f"{url} refused the request (status {PKIStatus(response.status).name}): {said}"
        )
    return body


def _parse_response(token_der: bytes, *, source: str = "the token") -> TimeStampResponse:
    try:
        return decode_timestamp_response(token_der)
    except ValueError as error:
        problem = error
    # openssl (and so many a TSA, freetsa.org's among them) writes the token's certificates in
    # chain order, not in the byte order DER asks of a SET, and rfc3161-client parses strict DER.
    # The certificates are outside what the TSA signs, so sorting them changes nothing signed.
    # The reply is kept as received; only the parse sees the sorted copy.
    sorted_der = der_sorted_certificates(token_der)
    if sorted_der is not None and sorted_der != token_der:
        try:
            return decode_timestamp_response(sorted_der)
        except ValueError:
            pass
    raise CustodyError(f"{source} is not an RFC 3161 timestamp reply: {problem}") from None


def _tlv(der: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `at` (low tag numbers)."""
    if at + 2 > len(der):
        raise ValueError("truncated")
    tag, first = der[at], der[at + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("high tag number")
    start = at + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if not 0 < count <= 4 or start + count > len(der):
            raise ValueError("bad length")
        length = int.from_bytes(der[start : start + count], "big")
        start += count
    if start + length > len(der):
        raise ValueError("truncated")
    return tag, start, start + length


def _children(der: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, end) of each element between start and end."""
    found = []
    while start < end:
        tag, content, stop = _tlv(der, start)
        found.append((tag, start, content, stop))
        start = stop
    return found


def der_sorted_certificates(reply_der: bytes) -> bytes | None:
    """The reply with its token's certificates in DER SET order; None if it is not a reply.

    TimeStampResp ::= SEQUENCE { status, timeStampToken ContentInfo }; ContentInfo ::=
    SEQUENCE { contentType, [0] EXPLICIT SignedData }; SignedData ::= SEQUENCE { version,
    digestAlgorithms, encapContentInfo, [0] IMPLICIT certificates, ... }. Sorting the SET's
    elements keeps every length, so nothing else moves.
    """
    try:
        _, start, end = _tlv(reply_der, 0)
        parts = _children(reply_der, start, end)
        if len(parts) < 2:
            return None
        _, _, content, stop = parts[1]  # the token
        info = _children(reply_der, content, stop)
        if len(info) < 2 or info[1][0] != 0xA0:
            return None
        wrapped = _children(reply_der, info[1][2], info[1][3])
        if not wrapped or wrapped[0][0] != 0x30:
            return None
        fields = _children(reply_der, wrapped[0][2], wrapped[0][3])
        certificates = next((f for f in fields[3:4] if f[0] == 0xA0), None)
        if certificates is None:
            return reply_der
        _, _, set_start, set_end = certificates
        elements = [reply_der[a:b] for _, a, _, b in _children(reply_der, set_start, set_end)]
    except ValueError:
        return None
    return reply_der[:set_start] + b"".join(sorted(elements)) + reply_der[set_end:]


@dataclass(frozen=True)
class StampInfo:
    """What a verified token says: when (the TSA's genTime), who, and the token's serial."""

    gen_time: datetime
    tsa_name: str
    serial: int


def load_roots(pem: bytes) -> list[cryptography.x509.Certificate]:
    """Every certificate in a PEM file (a CA file may hold several)."""
    try:
        return cryptography.x509.load_pem_x509_certificates(pem)
    except ValueError as error:
        raise CustodyError(f"not a PEM certificate file: {error}") from None


def _tsa_name(response: TimeStampResponse) -> str:
    try:
        name = response.tst_info.name
    except ValueError:
        name = None
    if name is not None:
        value = getattr(name, "value", name)
        if isinstance(value, cryptography.x509.Name):
            return value.rfc4514_string()
        return str(value)
    signer = next(iter(response.signed_data.signer_infos), None)
    for der in response.signed_data.certificates:
        certificate = cryptography.x509.load_der_x509_certificate(der)
        if signer is not None and certificate.serial_number == signer.serial_number:
            return certificate.subject.rfc4514_string()
    return ""


def verify_token(
    token_der: bytes,
    checkpoint_digest: bytes,
    roots_pem: Sequence[bytes],
    *,
    request_der: bytes | None = None,
) -> StampInfo:
    """Check a timestamp reply against the checkpoint digest and trusted TSA roots.

    Holds when the reply was granted, its signature chains to one of the roots (the PEM files
    given, each possibly holding several certificates), the signing certificate is for
    timestamping, the imprint is `checkpoint_digest` and, with `request_der`, the nonce is the
    request's. Raises CustodyError saying which of these failed.
    """
    roots = [root for pem in roots_pem for root in load_roots(pem)]
    if not roots:
        raise CustodyError("no TSA root certificate to verify against (give its CA file)")
    response = _parse_response(token_der)
    builder = VerifierBuilder()
    if request_der is not None:
        request = _parse_request(request_der)
        if request.nonce is not None:
            builder = builder.nonce(request.nonce)
    for root in roots:
        builder = builder.add_root_certificate(root)
    check_reply(token_der, checkpoint_digest, request_der=request_der)
    try:
        builder.build().verify(response, checkpoint_digest)
    except VerificationError as error:
        raise CustodyError(f"the token does not verify: {error}") from None
    return StampInfo(
        gen_time=response.tst_info.gen_time,
        tsa_name=_tsa_name(response),
        serial=response.tst_info.serial_number,
    )


def check_reply(
    token_der: bytes, checkpoint_digest: bytes, *, request_der: bytes | None = None
) -> None:
    """Check what a reply says without the authority's certificate.

    It must be granted, for this digest and (with `request_der`) for this request's nonce. Its
    signature is not checked: that is `verify_token`'s.
    """
    response = _parse_response(token_der)
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = "; ".join(response.status_string) or "no reason given"
        raise CustodyError(f"the reply is a refusal ({PKIStatus(response.status).name}): {said}")
    imprint = response.tst_info.message_imprint.message
    if imprint != checkpoint_digest:
        raise CustodyError(
            f"the token is for another digest ({imprint.hex()[:16]}…), not this checkpoint's "
            f"({checkpoint_digest.hex()[:16]}…): the checkpoint changed or the token is another's"
        )
    if request_der is not None:
        nonce = _parse_request(request_der).nonce
        if nonce is not None and response.tst_info.nonce != nonce:
            raise CustodyError("the reply answers another request (its nonce differs)")


def token_time(token_der: bytes) -> datetime:
    """The genTime a reply claims, unverified (for display; `verify_token` is what vouches)."""
    return _parse_response(token_der).tst_info.gen_time
