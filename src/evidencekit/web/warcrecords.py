"""Writing one fetch into WARC 1.1 records with warcio: a `warcinfo` record first, then for each
exchange a `request`, a `response` (status line and headers exactly as received, the body as
received) and a `metadata` record of the facts around it, and a last `metadata` summary.

Set-Cookie values are replaced before they are written when the user's own cookies were sent,
so that a session of theirs never ends up in the evidence.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from evidencekit.web.exchange import SET_COOKIE_REMOVED, FetchOptions, Hop


def warcinfo_fields(options: FetchOptions, extra: dict[str, str] | None) -> dict[str, str]:
    from evidencekit._version import __version__

    fields = {
        "software": f"evidencekit {__version__} (Python http.client, warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "http-header-user-agent": options.user_agent,
        "robots": "ignore (one page, archived as evidence at the request of the person it concerns)",
    }
    fields.update(extra or {})
    return fields


def _exact_headers_class() -> type:
    from warcio.statusandheaders import StatusAndHeaders

    class ExactHeaders(StatusAndHeaders):  # type: ignore[misc]
        """HTTP headers written to the WARC exactly as they crossed the wire (warcio would otherwise
        re-serialise them from its parsed copy)."""

        def compute_headers_buffer(self, header_filter: Any = None) -> None:
            return None

    return ExactHeaders


def _parse_exact(raw_head: bytes) -> Any:
    from warcio.statusandheaders import StatusAndHeadersParser

    parsed = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1", "GET"], verify=False).parse(io.BytesIO(raw_head))
    exact = _exact_headers_class()(parsed.statusline, parsed.headers, protocol=parsed.protocol)
    exact.headers_buff = raw_head
    return exact


def _split_head(path: Path) -> tuple[bytes, int]:
    """The status line and headers as received, and where the body starts."""
    with open(path, "rb") as handle:
        start = handle.read(1 << 20)
    for marker in (b"\r\n\r\n", b"\n\n"):
        at = start.find(marker)
        if at >= 0:
            end = at + len(marker)
            return start[:end], end
    return start, len(start)


def _redact_set_cookie(head: bytes) -> bytes:
    lines = head.split(b"\n")
    for index, line in enumerate(lines):
        name, sep, _value = line.partition(b":")
        if sep and name.strip().lower() == b"set-cookie":
            ending = b"\r" if line.endswith(b"\r") else b""
            lines[index] = name + b": " + SET_COOKIE_REMOVED + ending
    return b"\n".join(lines)


def write_exchange(writer: Any, hop: Hop, raw: dict[str, Any], info_id: str) -> None:
    response_path: Path = raw["response_path"]
    head, body_start = _split_head(response_path)
    if raw["redact_set_cookie"]:
        head = _redact_set_cookie(head)
    size = response_path.stat().st_size
    with open(response_path, "rb") as body:
        body.seek(body_start)
        headers = {
            "WARC-Date": hop.fetched_at,
            "WARC-IP-Address": hop.ip,
            "WARC-Warcinfo-ID": info_id,
        }
        if hop.truncated:
            headers["WARC-Truncated"] = hop.truncated
        response = writer.create_warc_record(
            hop.url,
            "response",
            payload=body,
            length=size - body_start,
            warc_headers_dict=headers,
            http_headers=_parse_exact(head),
        )
        request_body: bytes = raw.get("request_body", b"")
        request = writer.create_warc_record(
            hop.url,
            "request",
            payload=io.BytesIO(request_body),
            length=len(request_body),
            warc_headers_dict={"WARC-Date": hop.fetched_at, "WARC-Warcinfo-ID": info_id},
            http_headers=_parse_exact(raw["request"]),
        )
        writer.write_request_response_pair(request, response)
    hop.response_id = response.rec_headers.get_header("WARC-Record-ID")
    with contextlib.suppress(OSError):
        response_path.unlink()
    facts = {
        "url": hop.url,
        "ip": hop.ip,
        "port": hop.port,
        "resolved_addresses": hop.addresses,
        "status": hop.status,
        "bytes_received": hop.bytes_received,
        "truncated": hop.truncated,
        "incomplete": hop.incomplete,
        "duration_ms": hop.duration_ms,
        "tls": hop.tls,
        "tls_chain_pem": hop.chain_pem,
    }
    write_metadata(writer, hop.url, hop.fetched_at, facts, info_id, concurrent_to=hop.response_id)


def write_metadata(
    writer: Any, url: str, date: str, facts: dict[str, Any], info_id: str, concurrent_to: str | None
) -> None:
    data = json.dumps(facts, indent=1, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"WARC-Date": date, "WARC-Warcinfo-ID": info_id}
    if concurrent_to:
        headers["WARC-Concurrent-To"] = concurrent_to
    record = writer.create_warc_record(
        url,
        "metadata",
        payload=io.BytesIO(data),
        length=len(data),
        warc_content_type="application/json",
        warc_headers_dict=headers,
    )
    writer.write_record(record)
