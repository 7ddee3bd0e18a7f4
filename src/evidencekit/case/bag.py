"""BagIt 1.0 tag files (RFC 8493): bag-info.txt, payload and tag manifests, Payload-Oxum.

We write bags ourselves rather than through bagit-python (which bags in place by moving files and
writes version 0.97); bagit-python is used as the independent validator in tests and in VERIFY.txt.
Manifests use `<hex>  <path>` with two spaces and `/` separators so `sha256sum -c` reads them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evidencekit.case.names import member_name_problem

_PCT_DECODE = re.compile(r"%(0[dD]|0[aA]|25)")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def encode_manifest_path(path: str) -> str:
    """Percent-encode the three characters RFC 8493 §2.1.3 requires (our names never have them)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_manifest_path(path: str) -> str:
    """Undo `encode_manifest_path`."""
    if "%" not in path:
        return path
    return _PCT_DECODE.sub(lambda m: {"0d": "\r", "0a": "\n", "25": "%"}[m.group(1).lower()], path)


def format_manifest(entries: Mapping[str, str]) -> str:
    """Manifest text from {path: sha256 hex}, sorted by path so the file is reproducible."""
    return "".join(f"{digest}  {encode_manifest_path(path)}\n" for path, digest in sorted(entries.items()))


@dataclass(frozen=True)
class ManifestLine:
    """One line of a manifest as read from disk; `problem` is set when it could not be read."""

    line_number: int
    digest: str
    path: str
    problem: str | None = None


def parse_manifest(text: str) -> list[ManifestLine]:
    """Read a manifest leniently: bad lines come back with a `problem`, they do not raise.

    Several checks of one `verify` read the same manifest; the last few results are remembered
    (keyed by the text itself, so a changed manifest is always parsed afresh)."""
    return list(_parse_manifest(text))


@functools.lru_cache(maxsize=4)
def _parse_manifest(text: str) -> tuple[ManifestLine, ...]:
    lines: list[ManifestLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = raw.split(None, 1)
        if len(parts) != 2:
            lines.append(ManifestLine(number, "", raw, "line has no file path"))
            continue
        digest, path = parts[0], parts[1]
        if path.startswith("*"):  # sha256sum's binary-mode marker
            path = path[1:]
        path = decode_manifest_path(path.rstrip("\r"))
        problem = None if _HEX64.match(digest) else "checksum is not 64 hexadecimal digits"
        lines.append(ManifestLine(number, digest.lower(), path, problem))
    return tuple(lines)


def format_bag_info(fields: Iterable[tuple[str, str]]) -> str:
    """bag-info.txt from (label, value) pairs, order kept; values are single lines."""
    out = []
    for label, value in fields:
        flat = " ".join(str(value).split())
        out.append(f"{label}: {flat}\n")
    return "".join(out)


def parse_bag_info(text: str) -> list[tuple[str, str]]:
    """Read bag-info.txt: `Label: value`, continuation lines start with whitespace."""
    fields: list[tuple[str, str]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if raw[0] in " \t" and fields:
            label, value = fields[-1]
            fields[-1] = (label, f"{value} {raw.strip()}")
            continue
        label, sep, value = raw.partition(":")
        if not sep:
            raise ValueError(f"bag-info.txt line without a label: {raw!r}")
        fields.append((label.strip(), value.strip()))
    return fields


def is_safe_bag_path(path: str) -> bool:
    """A manifest path that stays inside the bag: the rule for every name read from outside
    (names.member_name_problem), the same as for a member of a hand-over archive."""
    return member_name_problem(path) is None
