"""A real local SMTP server for tests (aiosmtpd): plain, STARTTLS or SSL with a self-signed certificate made here."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate PEM, key PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Autoposter test mail server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class MailServer:
    host: str
    port: int
    security: str
    cafile: Path | None
    messages: list[Message] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def bodies(self) -> list[str]:
        out = []
        for message in self.messages:
            payload = message.get_payload(decode=True)
            out.append(payload.decode() if isinstance(payload, bytes) else str(message.get_payload()))
        return out


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.server.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@contextmanager
def mail_server(
    folder: Path, security: str = "none", *, username: str | None = None, password: str | None = None
) -> Iterator[MailServer]:
    """Run an SMTP server on a free port: ``none``, ``starttls`` (required) or ``ssl``; with ``username``, AUTH
    is required (and only that username and password are accepted)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cafile = None
    tls: ssl.SSLContext | None = None
    if security != "none":
        cafile, key = make_certificate(folder)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cafile, key)
    server = MailServer(HOST, free_port(), security, cafile)

    def authenticator(_server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (username, password)
        if isinstance(data, LoginPassword):
            server.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=ok, handled=False)

    kwargs: dict[str, Any] = {}
    if username is not None:
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=security == "starttls")
    if security == "starttls":
        kwargs.update(tls_context=tls, require_starttls=True)
    elif security == "ssl":
        kwargs.update(ssl_context=tls)
    controller = Controller(_Handler(server), hostname=HOST, port=server.port, **kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
