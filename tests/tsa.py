"""A timestamp authority on loopback, for tests (there is no network here).

`make_tsa(folder)` makes a throwaway root CA and a TSA certificate signed by it (extendedKeyUsage
timeStamping, critical, as RFC 3161 section 2.3 requires) with `cryptography`, and writes the
openssl `ts` configuration. `serve(tsa)` answers each POST on 127.0.0.1 (an ephemeral port, a
thread) by running `openssl ts -reply` on the request, the way a real TSA answers over HTTP
(RFC 3161 section 3.4). The `local_tsa` fixture yields (url, root_pem).
"""

import datetime
import http.server
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CONFIG = """\
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class Tsa:
    folder: Path
    root_pem: bytes

    @property
    def config(self) -> Path:
        return self.folder / "tsa.cnf"


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Unseen test suite"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_tsa(folder: Path, name: str = "Test TSA") -> Tsa:
    """A root CA and a TSA certificate under it, in `folder`, with openssl's ts configuration."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{name} root CA")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(root_name)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    root_pem = root.public_bytes(serialization.Encoding.PEM)
    (folder / "root.pem").write_bytes(root_pem)
    (folder / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(_pem(tsa_key))
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(CONFIG.format(folder=folder))
    return Tsa(folder, root_pem)


def reply(tsa: Tsa, request_der: bytes) -> bytes:
    """`openssl ts -reply` for one request: the DER TimeStampResp a TSA would send."""
    with tempfile.TemporaryDirectory(dir=tsa.folder) as work:
        query = Path(work) / "request.tsq"
        answer = Path(work) / "reply.tsr"
        query.write_bytes(request_der)
        subprocess.run(
            [
                "openssl",
                "ts",
                "-reply",
                "-config",
                str(tsa.config),
                "-queryfile",
                str(query),
                "-signer",
                str(tsa.folder / "tsa.pem"),
                "-inkey",
                str(tsa.folder / "tsa.key"),
                "-chain",
                str(tsa.folder / "root.pem"),
                "-out",
                str(answer),
            ],
            check=True,
            capture_output=True,
        )
        return answer.read_bytes()


class _Handler(http.server.BaseHTTPRequestHandler):
    tsa: Tsa
    lock = threading.Lock()  # openssl increments one serial file

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_error(415, "expected application/timestamp-query")
            return
        try:
            with self.lock:
                answer = reply(self.tsa, body)
        except subprocess.CalledProcessError as error:
            self.send_error(400, error.stderr.decode(errors="replace")[:200])
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(tsa: Tsa) -> Iterator[str]:
    """Answer timestamp requests for `tsa` on 127.0.0.1; yields the URL."""
    handler = type("Handler", (_Handler,), {"tsa": tsa})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsr"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def local_tsa(tmp_path: Path) -> Iterator[tuple[str, bytes]]:
    """A timestamp authority on loopback: (its URL, its root certificate as PEM)."""
    tsa = make_tsa(tmp_path / "tsa")
    with serve(tsa) as url:
        yield url, tsa.root_pem
