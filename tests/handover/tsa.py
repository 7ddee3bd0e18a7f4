"""A real RFC 3161 time-stamping authority on 127.0.0.1: `openssl ts -reply` behind http.server.

The fixture makes a CA and a TSA certificate (critical timeStamping EKU) with openssl, then answers
each POSTed request with `openssl ts -reply`. No `certs =` line in tsa.cnf: the reply carries only
the TSA's certificate (a multi-certificate SET from openssl is unsorted DER, which rfc3161-client's
strict parser refuses; see shared notes).
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TSA_CNF = """\
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_tsa]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
[tsa]
default_tsa = tsa_config1
[tsa_config1]
dir = {dir}
serial = $dir/tsaserial
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256,sha384,sha512
accuracy = secs:1
ess_cert_id_alg = sha256
"""


@dataclass
class LocalTsa:
    url: str
    ca_cert: Path
    tsa_cert: Path
    folder: Path
    requests: list[bytes]
    refuse: bool = False
    # Changes each reply before it is sent (a TSA that misbehaves); None sends it as openssl made it.
    rewrite: Callable[[bytes], bytes] | None = None


def make_tsa_certificates(folder: Path, name: str = "Test TSA") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tsa.cnf").write_text(TSA_CNF.format(dir=folder), encoding="utf-8")
    (folder / "tsaserial").write_text("01\n", encoding="utf-8")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl(
        "req",
        "-x509",
        "-new",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "3650",
        "-subj",
        f"/CN={name} Root",
        "-config",
        "tsa.cnf",
        "-extensions",
        "v3_ca",
    )
    openssl(
        "req",
        "-new",
        *ec,
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        f"/CN={name}",
        "-config",
        "tsa.cnf",
    )
    openssl(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.crt",
        "-days",
        "3650",
        "-extfile",
        "tsa.cnf",
        "-extensions",
        "v3_tsa",
    )


def start_tsa(folder: Path) -> tuple[LocalTsa, ThreadingHTTPServer]:
    make_tsa_certificates(folder)
    lock = threading.Lock()
    state = LocalTsa("", folder / "ca.crt", folder / "tsa.crt", folder, [])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(body)
            if state.refuse:
                self.send_response(503)
                self.end_headers()
                return
            with lock:  # openssl ts -reply updates its serial file
                reply = subprocess.run(
                    ["openssl", "ts", "-reply", "-config", "tsa.cnf", "-queryfile", "/dev/stdin"],
                    input=body,
                    cwd=folder,
                    capture_output=True,
                    timeout=60,
                )
            if reply.returncode != 0:
                self.send_response(400)
                self.end_headers()
                return
            answer = state.rewrite(reply.stdout) if state.rewrite else reply.stdout
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/tsr"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
