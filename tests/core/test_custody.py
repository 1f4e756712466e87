import hashlib
import http.server
import subprocess
import threading
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rfc3161_client import decode_timestamp_response

from tests.tsa import make_tsa
from unseen.core import custody

hexes = st.binary(min_size=32, max_size=32).map(bytes.hex)
# File ids are primary keys: unique in a checkpoint (the same bytes are one file).
leaves = st.lists(
    st.tuples(st.integers(1, 2**40), hexes), min_size=1, max_size=70, unique_by=lambda x: x[0]
)


def reference_root(hashes: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, MTH(D[n]), word for word (recursive split)."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    left, right = reference_root(hashes[:k]), reference_root(hashes[k:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def test_leaf_hash_is_documented_layout():
    sha = "ab" * 32
    expected = hashlib.sha256(b"\x00" + (12).to_bytes(8, "big") + bytes.fromhex(sha)).digest()
    assert custody.leaf_hash((12, sha)) == expected


def test_rfc6962_vectors():
    # Hand-made from the RFC's definition: a tree of three leaves is node(node(a, b), c).
    a, b, c = ((i, f"{i:02x}" * 32) for i in (1, 2, 3))
    ha, hb, hc = (custody.leaf_hash(x) for x in (a, b, c))
    node = lambda x, y: hashlib.sha256(b"\x01" + x + y).digest()  # noqa: E731
    assert custody.merkle_root([a, b, c]) == node(node(ha, hb), hc).hex()
    assert custody.merkle_root([a]) == ha.hex()
    assert custody.merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert custody.inclusion_proof([a, b, c], 2) == [node(ha, hb).hex()]
    assert custody.inclusion_proof([a, b, c], 0) == [hb.hex(), hc.hex()]


@given(leaves)
def test_root_is_rfc6962s(tree):
    assert custody.merkle_root(tree) == reference_root([custody.leaf_hash(x) for x in tree]).hex()


@given(leaves)
def test_every_index_verifies(tree):
    root = custody.merkle_root(tree)
    for index, leaf in enumerate(tree):
        proof = custody.inclusion_proof(tree, index)
        assert custody.verify_inclusion(leaf, index, len(tree), proof, root)


@given(leaves, st.data())
def test_anything_changed_fails(tree, data):
    root = custody.merkle_root(tree)
    index = data.draw(st.integers(0, len(tree) - 1))
    proof = custody.inclusion_proof(tree, index)
    file_id, sha = tree[index]
    other = data.draw(hexes.filter(lambda h: h != sha))
    assert not custody.verify_inclusion((file_id, other), index, len(tree), proof, root)
    assert not custody.verify_inclusion((file_id + 1, sha), index, len(tree), proof, root)
    if len(tree) > 1:
        # The same leaf at another place, a step dropped or added, a step changed.
        assert not custody.verify_inclusion(
            tree[index], (index + 1) % len(tree), len(tree), proof, root
        )
        assert not custody.verify_inclusion(tree[index], index, len(tree), proof[:-1], root)
        step = data.draw(st.integers(0, len(proof) - 1))
        bent = [*proof]
        bent[step] = hashlib.sha256(bytes.fromhex(bent[step])).hexdigest()
        assert not custody.verify_inclusion(tree[index], index, len(tree), bent, root)
    assert not custody.verify_inclusion(tree[index], index, len(tree), [*proof, "00" * 32], root)
    assert not custody.verify_inclusion(tree[index], index, len(tree), proof, "00" * 32)
    assert not custody.verify_inclusion(tree[index], len(tree), len(tree), proof, root)


def test_bad_leaves_are_refused():
    with pytest.raises(custody.CustodyError, match="not a hex"):
        custody.leaf_hash((1, "zz" * 32))
    with pytest.raises(custody.CustodyError, match="32 bytes"):
        custody.leaf_hash((1, "ab" * 20))
    with pytest.raises(custody.CustodyError, match="not in a tree"):
        custody.inclusion_proof([(1, "ab" * 32)], 1)


def test_statement_is_canonical_and_needs_a_zone():
    made = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    text = custody.statement(
        root="aa" * 32, size=3, audit_entry_id=7, audit_hash="bb" * 32, made_at=made
    )
    assert text == (
        b'{"audit_entry_id":7,"audit_hash":"' + b"bb" * 32 + b'","kind":"unseen-checkpoint/1",'
        b'"made_at":"2026-03-01T09:30:00.000000+00:00","root":"' + b"aa" * 32 + b'","size":3}'
    )
    with pytest.raises(custody.CustodyError, match="time zone"):
        custody.statement(
            root="", size=0, audit_entry_id=None, audit_hash="", made_at=datetime(2026, 1, 1)
        )


STATEMENT = custody.statement(
    root="cd" * 32, size=2, audit_entry_id=3, audit_hash="ef" * 32, made_at=datetime.now(UTC)
)


def test_stamp_and_verify(local_tsa):
    url, root_pem = local_tsa
    request = custody.timestamp_request(STATEMENT)
    token = custody.request_token(url, request, timeout=10)
    stamp = custody.verify_token(token, custody.digest(STATEMENT), [root_pem], request_der=request)
    assert abs((stamp.gen_time - datetime.now(UTC)).total_seconds()) < 60
    assert "Test TSA" in stamp.tsa_name
    assert stamp.serial >= 1
    print(f"stamped {stamp.gen_time} by {stamp.tsa_name}, serial {stamp.serial}")


def test_openssl_agrees(local_tsa, tmp_path):
    # What the module docstring promises: the token checks without Unseen.
    url, root_pem = local_tsa
    token = custody.request_token(url, custody.timestamp_request(STATEMENT))
    (tmp_path / "statement.json").write_bytes(STATEMENT)
    (tmp_path / "token.tsr").write_bytes(token)
    (tmp_path / "ca.pem").write_bytes(root_pem)
    command = ["openssl", "ts", "-verify", "-data", "statement.json", "-in", "token.tsr"]
    checked = subprocess.run(
        [*command, "-CAfile", "ca.pem"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "Verification: OK" in checked.stdout


def test_wrong_digest_fails(local_tsa):
    url, root_pem = local_tsa
    token = custody.request_token(url, custody.timestamp_request(STATEMENT))
    other = custody.digest(STATEMENT + b" ")
    with pytest.raises(custody.CustodyError, match="another digest"):
        custody.verify_token(token, other, [root_pem])


def test_another_tsas_root_fails(local_tsa, tmp_path):
    url, _ = local_tsa
    stranger = make_tsa(tmp_path / "stranger", name="Stranger TSA")
    token = custody.request_token(url, custody.timestamp_request(STATEMENT))
    with pytest.raises(custody.CustodyError, match="does not verify"):
        custody.verify_token(token, custody.digest(STATEMENT), [stranger.root_pem])


def test_a_replayed_reply_fails_the_nonce(local_tsa):
    url, root_pem = local_tsa
    first = custody.timestamp_request(STATEMENT)
    second = custody.timestamp_request(STATEMENT)
    token = custody.request_token(url, first)
    with pytest.raises(custody.CustodyError, match="its nonce differs"):
        custody.verify_token(token, custody.digest(STATEMENT), [root_pem], request_der=second)


def test_a_flipped_byte_in_the_token_fails(local_tsa):
    url, root_pem = local_tsa
    token = bytearray(custody.request_token(url, custody.timestamp_request(STATEMENT)))
    token[-5] ^= 0x01  # inside the signature, at the end of the SignedData
    with pytest.raises(custody.CustodyError):
        custody.verify_token(bytes(token), custody.digest(STATEMENT), [root_pem])


def test_unreachable_and_wrong_urls_are_named(tmp_path):
    with pytest.raises(custody.CustodyError, match="http:// or https://"):
        custody.request_token("file:///etc/passwd", b"x")
    # A port nothing listens on: bind one, then close it.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(custody.CustodyError, match="could not reach"):
        custody.request_token(f"http://127.0.0.1:{port}/", b"x", timeout=2)


def test_a_refusal_is_named(local_tsa):
    url, _ = local_tsa
    with pytest.raises(custody.CustodyError, match=r"refused the request \(status REJECTION\)"):
        custody.request_token(url, b"not a request")


class Answer(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b"<html>hello</html>"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b"<html>hello</html>", "not an RFC 3161 timestamp reply"),
        (503, b"busy", "answered HTTP 503"),
        (200, b"x" * (custody.MAX_REPLY_BYTES + 1), "more than"),
    ],
)
def test_what_is_not_a_reply_is_named(status, body, message):
    handler = type("Handler", (Answer,), {"status": status, "body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with pytest.raises(custody.CustodyError, match=message):
            custody.request_token(url, custody.timestamp_request(STATEMENT), timeout=5)
    finally:
        server.shutdown()
        server.server_close()


def shuffled_certificates(reply: bytes) -> bytes:
    """The reply with its token's certificates out of DER order (as openssl often writes them)."""
    ordered = custody.der_sorted_certificates(reply)
    assert ordered is not None
    # Find the certificates SET as der_sorted_certificates does, and reverse its elements.
    _, start, end = custody._tlv(ordered, 0)
    token = custody._children(ordered, start, end)[1]
    info = custody._children(ordered, token[2], token[3])
    signed = custody._children(ordered, info[1][2], info[1][3])[0]
    certificates = custody._children(ordered, signed[2], signed[3])[3]
    assert certificates[0] == 0xA0
    elements = [ordered[a:b] for _, a, _, b in custody._children(ordered, *certificates[2:])]
    assert len(elements) == 2, "the local TSA sends its certificate and its root (-chain)"
    return ordered[: certificates[2]] + b"".join(reversed(elements)) + ordered[certificates[3] :]


def test_certificates_out_of_der_order_still_verify(local_tsa):
    url, root_pem = local_tsa
    request = custody.timestamp_request(STATEMENT)
    reply = shuffled_certificates(custody.request_token(url, request))
    with pytest.raises(ValueError, match="InvalidSetOrdering"):
        decode_timestamp_response(reply)  # what the library alone makes of it
    stamp = custody.verify_token(reply, custody.digest(STATEMENT), [root_pem], request_der=request)
    assert "Test TSA" in stamp.tsa_name
    assert custody.der_sorted_certificates(b"not DER") is None


def test_not_a_certificate_is_named():
    with pytest.raises(custody.CustodyError, match="PEM"):
        custody.verify_token(b"", b"", [b"hello"])
    with pytest.raises(custody.CustodyError, match="no TSA root"):
        custody.verify_token(b"", b"", [])
