"""TLS as browsers require it: a certificate must name the host in subjectAltName (a CN alone is refused), and a
server that speaks only TLS 1.0/1.1 is refused with a hint that says so (not "use --ca-bundle"). Real TLS servers on
127.0.0.1."""

from __future__ import annotations

import contextlib
import datetime
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.helpers import client_for, seeded_store
from tui_app.domain.errors import ApiError, Transport
from tui_app.domain.models import DeleteResult
from tui_app.fake import FakeVias
from tui_app.vias.wire import tls_context

TASK = "0d47bbf52962414bb7ae27fb6ea24230"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def ca_and_leaf(tmp_path: Path, *, san: bool) -> tuple[Path, Path, Path]:
    """A CA, and a leaf for CN=localhost with (or without) subjectAltName DNS:localhost; PEM paths."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("vias-tui test CA"))
        .issuer_name(_name("vias-tui test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    leaf = builder.sign(ca_key, hashes.SHA256())
    paths = tmp_path / "ca.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.mark.parametrize("san", [True, False])
async def test_a_certificate_must_name_the_host_in_subject_alt_name(tmp_path: Path, san: bool) -> None:
    ca, leaf, key = ca_and_leaf(tmp_path, san=san)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(leaf, key)
    async with FakeVias(seeded_store(1), tls=server_context) as fake:
        url = f"https://localhost:{fake.port}"
        async with client_for(url, tls=tls_context(str(ca))) as client:
            answer = await client.delete_batch_task(TASK)
    if san:  # the same CA and name, with a subjectAltName: trusted (so only the missing SAN is refused below)
        assert isinstance(answer, DeleteResult) or answer.http_status is not None
        return
    assert isinstance(answer, ApiError) and answer.transport is Transport.TLS and not answer.delivered
    assert fake.requests == []


@contextlib.contextmanager
def old_tls_server(maximum: ssl.TLSVersion) -> Iterator[int]:
    """A blocking TLS server in a thread that speaks at most `maximum` (1.0 or 1.1), and answers with an alert."""
    ca = trustme.CA()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1 are deprecated: that is the point
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = maximum
    ca.issue_cert("127.0.0.1").configure_cert(context)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)  # to look at `stop` now and then
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.settimeout(5)
                context.wrap_socket(conn, server_side=True).recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("maximum", ["TLSv1", "TLSv1_1"])
async def test_a_server_with_only_an_old_tls_is_refused_with_the_right_hint(maximum: str) -> None:
    with old_tls_server(getattr(ssl.TLSVersion, maximum)) as port:
        async with client_for(f"https://127.0.0.1:{port}") as client:
            error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.transport is Transport.TLS_VERSION and not error.delivered
    hint = error.hint() or ""
    assert "TLS 1.2 or newer" in hint and "--ca-bundle" not in hint and "not trusted" not in hint


async def test_an_untrusted_certificate_keeps_the_ca_bundle_hint() -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    async with FakeVias(seeded_store(1), tls=context) as fake, client_for(fake.url) as client:
        error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.transport is Transport.TLS and "--ca-bundle" in (error.hint() or "")
