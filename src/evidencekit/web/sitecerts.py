"""The recording proxy's own certificates: the browser's side of each HTTPS connection.

The browser talks to the recording proxy, not to the site: for `https://` it asks the proxy to open
a tunnel, and the proxy answers the TLS handshake itself with a certificate for that site name,
made on the spot with one throw-away key. The browser is told to accept these (it is the only
party that sees them); the real site's certificate is checked by the proxy's own connection
(connection.py), exactly as for evidencekit's own fetch, and its chain is what the WARC records.
The key and certificates live in the capture's private temporary folder, deleted afterwards.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import threading
from pathlib import Path


class SiteCertificates:
    """A TLS server context per site name, all from one key made for this capture."""

    def __init__(self, folder: Path) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self._folder = folder
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._key_path = folder / "proxy-key.pem"
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        descriptor = os.open(self._key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def context(self, host: str) -> ssl.SSLContext:
        """The server-side TLS context that presents a certificate for `host` (HTTP/1.1 only)."""
        with self._lock:
            known = self._contexts.get(host)
            if known is not None:
                return known
            cert_path = self._folder / f"proxy-cert-{len(self._contexts)}.pem"
            cert_path.write_bytes(self._certificate(host))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.set_alpn_protocols(["http/1.1"])
            context.load_cert_chain(cert_path, self._key_path)
            self._contexts[host] = context
            return context

    def _certificate(self, host: str) -> bytes:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import NameOID

        name: x509.GeneralName
        try:
            name = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            name = x509.DNSName(host)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evidencekit recording proxy")])
        now = dt.datetime.now(dt.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([name]), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM)
