"""Opening a connection to a web server: DNS, TCP, TLS, and the facts an investigator asks for.

We resolve the name ourselves and connect to one of the addresses we found, so the IP address in
the record is the one the bytes really came from (not a second look-up that might differ). For
HTTPS the certificate is checked against the system's trusted roots first; a certificate that does
not pass is refused unless the caller explicitly accepts it, and then the reason it failed is
recorded. The whole certificate chain the server sent is kept (PEM), described in plain fields.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencekit.web.errors import WebCaptureError, seconds


@dataclass
class Connection:
    """An open socket to the server, with what we learned while opening it."""

    sock: socket.socket
    ip: str
    port: int
    addresses: list[str]
    tls: dict[str, Any] | None = None
    chain_pem: str | None = None
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def resolve(host: str, port: int, timeout: float) -> list[tuple[int, tuple[Any, ...]]]:
    """All addresses for `host` as (family, sockaddr), with a time limit (getaddrinfo has none)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ek-dns")
    try:
        future = pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
        infos = future.result(timeout=timeout)
    except FutureTimeout:
        raise WebCaptureError(
            "dns-failed",
            f"Looking up the website name “{host}” took longer than {seconds(timeout)}.",
            hint="Check that this computer is online, then try again.",
        ) from None
    except (socket.gaierror, UnicodeError) as exc:
        raise WebCaptureError(
            "dns-failed",
            f"The website name “{host}” could not be found (DNS: {_plain_gai(exc)}).",
            hint="Check the address for typos and that this computer is online. If the site has been "
            "taken down, the address you recorded is still kept in the case.",
        ) from None
    finally:
        pool.shutdown(wait=False)
    seen: list[tuple[int, tuple[Any, ...]]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if (family, sockaddr) not in seen:
            seen.append((family, sockaddr))
    return seen


def _plain_gai(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.rstrip(".")


def open_connection(
    host: str,
    port: int,
    *,
    use_tls: bool,
    timeout: float,
    verify_tls: bool = True,
    extra_ca_file: Path | None = None,
) -> Connection:
    """Resolve `host`, connect to the first address that answers, and do TLS if asked."""
    addresses = resolve(host, port, timeout)
    if not addresses:
        raise WebCaptureError(
            "dns-failed",
            f"The website name “{host}” has no addresses.",
            hint="Check the address for typos.",
        )
    conn = _connect_first(host, port, addresses, timeout)
    if not use_tls:
        return conn
    try:
        _start_tls(conn, host, timeout, verify_tls, extra_ca_file)
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_first(
    host: str, port: int, addresses: list[tuple[int, tuple[Any, ...]]], timeout: float
) -> Connection:
    last: OSError | None = None
    all_ips = [str(sockaddr[0]) for _family, sockaddr in addresses]
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return Connection(sock=sock, ip=str(sockaddr[0]), port=port, addresses=all_ips)
    if isinstance(last, TimeoutError):
        raise WebCaptureError(
            "timeout",
            f"The website {host} did not answer within {seconds(timeout)}.",
            hint="It may be down or very slow. Try again later; the address you recorded is kept.",
        )
    reason = (last.strerror if last is not None else None) or "no address could be reached"
    raise WebCaptureError(
        "connect-failed",
        f"evidencekit could not connect to {host} ({reason}).",
        hint="The site may be down, or this computer may be offline. Try again later; the address "
        "you recorded is kept.",
    )


def _start_tls(
    conn: Connection, host: str, timeout: float, verify_tls: bool, extra_ca_file: Path | None
) -> None:
    context = ssl.create_default_context()
    if extra_ca_file is not None:
        context.load_verify_locations(cafile=str(extra_ca_file))
    server_name = None if _is_ip(host) else host
    try:
        # For an IP address no name is sent (SNI), but it is still matched against the certificate.
        tls_sock = context.wrap_socket(conn.sock, server_hostname=host)
        verified, verify_error = True, None
    except ssl.SSLCertVerificationError as exc:
        verify_error = exc.verify_message or str(exc)
        if not verify_tls:
            conn.close()
            again = _connect_first(host, conn.port, [(_family_of(conn.ip), _sockaddr(conn))], timeout)
            conn.sock, conn.ip = again.sock, again.ip
            tls_sock = _unverified_context().wrap_socket(conn.sock, server_hostname=host)
            verified = False
        else:
            raise WebCaptureError(
                "tls-invalid",
                f"The security certificate of {host} is not valid ({verify_error}), so evidencekit "
                "cannot be sure it is talking to the real site.",
                hint="Check the address. If you still want to archive what this server sends, add "
                "--accept-invalid-certificate (the capture will say the certificate was not valid).",
            ) from None
    except TimeoutError:
        raise WebCaptureError(
            "timeout",
            f"The secure connection to {host} did not complete within {seconds(timeout)}.",
            hint="The site may be down or very slow. Try again later.",
        ) from None
    except (ssl.SSLError, OSError) as exc:
        raise WebCaptureError(
            "tls-failed",
            f"A secure (HTTPS) connection to {host} could not be made ({_ssl_reason(exc)}).",
            hint="The site may not support HTTPS at this address, or something on the network "
            "is interfering. Try again later.",
        ) from None
    conn.sock = tls_sock
    chain = peer_chain(tls_sock)
    conn.chain_pem = "".join(ssl.DER_cert_to_PEM_cert(der) for der in chain) or None
    conn.tls = {
        "version": tls_sock.version(),
        "cipher": (tls_sock.cipher() or (None,))[0],
        "server_name": server_name,
        "verified": verified,
        "verify_error": verify_error,
        "chain": [describe_certificate(der) for der in chain],
    }


def _is_ip(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True


def _family_of(ip: str) -> int:
    return socket.AF_INET6 if ":" in ip else socket.AF_INET


def _sockaddr(conn: Connection) -> tuple[Any, ...]:
    return (conn.ip, conn.port, 0, 0) if ":" in conn.ip else (conn.ip, conn.port)


def _unverified_context() -> ssl.SSLContext:
    """Only used after the verified handshake failed and the user accepted that explicitly."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # recorded as "verified": false; on request only
    return context


def _ssl_reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
    return str(reason).replace("_", " ").lower()


def peer_chain(tls_sock: ssl.SSLSocket) -> list[bytes]:
    """The certificates the server sent (DER, leaf first).

    Python 3.13 has `get_unverified_chain()`; 3.10-3.12 have it only on the internal SSL object.
    Where neither exists, the server's own certificate alone.
    """
    for owner in (tls_sock, getattr(tls_sock, "_sslobj", None)):
        method = getattr(owner, "get_unverified_chain", None)
        if method is None:
            continue
        try:
            chain = method() or []
        except (ssl.SSLError, ValueError):
            continue
        out = []
        for cert in chain:
            if isinstance(cert, bytes):
                out.append(cert)
            else:
                out.append(cert.public_bytes(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]
        if out:
            return out
    leaf = tls_sock.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def describe_certificate(der: bytes) -> dict[str, Any]:
    """The fields of a certificate an examiner reads first, plus its SHA-256 fingerprint."""
    from cryptography import x509

    facts: dict[str, Any] = {"sha256": hashlib.sha256(der).hexdigest()}
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        facts["unreadable"] = True
        return facts
    facts.update(
        {
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "serial": format(cert.serial_number, "x"),
            "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        facts["subject_alt_names"] = [str(getattr(n, "value", n)) for n in names]
    except x509.ExtensionNotFound:
        facts["subject_alt_names"] = []
    return facts
