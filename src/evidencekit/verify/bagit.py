"""The BagIt checks (RFC 8493): bagit.txt, bag-info.txt, case.json, both manifests, Payload-Oxum,
and what lies beside the bag (extra files, links and special files, which are never followed).
"""

from __future__ import annotations

from typing import Any

from evidencekit.case import layout
from evidencekit.case.bag import is_safe_bag_path, parse_bag_info, parse_manifest
from evidencekit.case.bagview import BagView
from evidencekit.case.findings import ERROR, WARNING, BytesProgress, VerifyReport
from evidencekit.case.jsonlines import parse_json
from evidencekit.case.rehash import PendingHashes

_IGNORED_AT_ROOT = {layout.LOCK_FILE}
_KNOWN_AT_ROOT = {
    layout.BAGIT_TXT,
    layout.BAG_INFO_TXT,
    layout.MANIFEST,
    layout.TAGMANIFEST,
    layout.DATA_DIR,
    layout.RECORDS_DIR,
    layout.SEAL_DIR,
    layout.TXN_DIR,
    layout.LOCK_FILE,
}


def read_text(bag: BagView, relative: str, report: VerifyReport, missing_code: str, what: str) -> str | None:
    try:
        return bag.read_bytes(relative).decode("utf-8")
    except FileNotFoundError:
        report.add(ERROR, missing_code, relative, f"{what} ({relative}) is missing.")
    except UnicodeDecodeError:
        report.add(ERROR, "not-utf8", relative, f"{relative} is not UTF-8 text.")
    except OSError as exc:
        report.add(ERROR, "unreadable", relative, f"{relative} cannot be read ({exc.strerror}).")
    return None


def check_declaration(bag: BagView, report: VerifyReport) -> None:
    try:
        raw = bag.read_bytes(layout.BAGIT_TXT)
    except FileNotFoundError:
        report.add(ERROR, "bag-declaration-missing", layout.BAGIT_TXT, "bagit.txt is missing.")
        return
    except OSError as exc:
        report.add(ERROR, "unreadable", layout.BAGIT_TXT, f"bagit.txt cannot be read ({exc.strerror}).")
        return
    if raw != layout.BAGIT_DECLARATION.encode("utf-8"):
        report.add(
            ERROR,
            "bag-declaration-invalid",
            layout.BAGIT_TXT,
            "bagit.txt does not say exactly “BagIt-Version: 1.0” and “Tag-File-Character-Encoding: UTF-8”.",
        )


def check_bag_info(bag: BagView, report: VerifyReport) -> list[tuple[str, str]]:
    text = read_text(bag, layout.BAG_INFO_TXT, report, "bag-info-missing", "The bag description")
    if text is None:
        return []
    try:
        fields = parse_bag_info(text)
    except ValueError:
        report.add(
            ERROR,
            "bag-info-invalid",
            layout.BAG_INFO_TXT,
            "bag-info.txt has a line that is not “Label: value”.",
        )
        return []
    labels = [label for label, _ in fields]
    if labels.count("Payload-Oxum") > 1:
        report.add(
            ERROR, "bag-info-invalid", layout.BAG_INFO_TXT, "bag-info.txt gives Payload-Oxum more than once."
        )
    return fields


def check_case_json(
    bag: BagView, report: VerifyReport, bag_info: list[tuple[str, str]]
) -> dict[str, Any] | None:
    text = read_text(bag, layout.CASE_JSON, report, "case-json-missing", "The case description")
    if text is None:
        return None
    try:
        data = parse_json(text)
        if not isinstance(data, dict) or "id" not in data:
            raise ValueError
    except ValueError:
        report.add(ERROR, "case-json-invalid", layout.CASE_JSON, "case.json is not a valid case description.")
        return None
    if str(data.get("format", "")).split("/")[0] != "evidencekit-case":
        report.add(
            ERROR,
            "case-json-invalid",
            layout.CASE_JSON,
            "case.json does not declare the evidencekit case format.",
        )
    identifier = dict(bag_info).get("External-Identifier")
    if identifier and identifier != data["id"]:
        report.add(
            ERROR,
            "case-id-mismatch",
            layout.BAG_INFO_TXT,
            f"bag-info.txt names case {identifier} but case.json names case {data['id']}.",
        )
    return data


def check_tag_manifest(bag: BagView, report: VerifyReport) -> dict[str, str]:
    text = read_text(bag, layout.TAGMANIFEST, report, "tagmanifest-missing", "The tag manifest")
    if text is None:
        return {}
    entries: dict[str, str] = {}
    for line in parse_manifest(text):
        where = f"{layout.TAGMANIFEST} line {line.line_number}"
        if line.problem:
            report.add(ERROR, "manifest-line-invalid", layout.TAGMANIFEST, f"{where}: {line.problem}.")
            continue
        if not is_safe_bag_path(line.path) or line.path.startswith(layout.DATA_DIR + "/"):
            report.add(ERROR, "path-unsafe", line.path, f"{where} names a path a tag manifest must not list.")
            continue
        if line.path in entries:
            report.add(ERROR, "manifest-line-invalid", line.path, f"{where} lists {line.path} a second time.")
        entries[line.path] = line.digest
        actual = bag.sha256(line.path) if bag.is_file(line.path) else None
        if actual is None:
            report.add(
                ERROR, "tag-missing", line.path, f"{line.path} is listed in the tag manifest but is missing."
            )
        elif actual != line.digest:
            report.add(
                ERROR,
                "tag-changed",
                line.path,
                f"{line.path} was changed after it was recorded (its SHA-256 is now {actual[:16]}…, "
                f"the tag manifest says {line.digest[:16]}…).",
            )
    for required in (
        layout.BAGIT_TXT,
        layout.BAG_INFO_TXT,
        layout.MANIFEST,
        layout.CASE_JSON,
        layout.CUSTODY_JSONL,
    ):
        if required not in entries and bag.exists(required):
            report.add(ERROR, "tag-not-covered", required, f"{required} is not listed in the tag manifest.")
    for relative in bag.files_under(layout.RECORDS_DIR):
        if relative not in entries:
            report.add(
                ERROR,
                "tag-unexpected",
                relative,
                f"{relative} is in the records folder but not in the tag manifest (added afterwards).",
            )
    return entries


# ---- payload -------------------------------------------------------------------------------


# ---- payload -------------------------------------------------------------------------------
def check_payload(
    bag: BagView,
    report: VerifyReport,
    bag_info: list[tuple[str, str]],
    progress: BytesProgress | None,
    workers: int | None,
) -> tuple[dict[str, str], PendingHashes | None]:
    """Check the manifest against the folder now; start hashing, to be finished later."""
    text = read_text(bag, layout.MANIFEST, report, "manifest-missing", "The payload manifest")
    if text is None:
        return {}, None
    manifest: dict[str, str] = {}
    for line in parse_manifest(text):
        where = f"{layout.MANIFEST} line {line.line_number}"
        if line.problem:
            report.add(ERROR, "manifest-line-invalid", layout.MANIFEST, f"{where}: {line.problem}.")
            continue
        if not is_safe_bag_path(line.path) or not line.path.startswith(layout.DATA_DIR + "/"):
            report.add(
                ERROR, "path-unsafe", line.path, f"{where} names a path outside data/; it was not opened."
            )
            continue
        if line.path in manifest:
            report.add(ERROR, "manifest-line-invalid", line.path, f"{where} lists {line.path} a second time.")
        manifest[line.path] = line.digest

    on_disk = bag.payload_files(report)
    to_hash = []
    for path, digest in manifest.items():
        size = on_disk.get(path)
        if size is None:
            report.add(ERROR, "payload-missing", path, f"{path} is listed in the manifest but is missing.")
        else:
            to_hash.append((path, digest, size))
    for path in sorted(set(on_disk) - set(manifest)):
        report.add(
            ERROR,
            "payload-unexpected",
            path,
            f"{path} is in the evidence folder but not in the manifest (it was added afterwards).",
        )

    oxum = dict(bag_info).get("Payload-Oxum")
    if oxum is None:
        if bag_info:
            report.add(
                ERROR, "payload-oxum-missing", layout.BAG_INFO_TXT, "bag-info.txt has no Payload-Oxum."
            )
    else:
        actual = f"{sum(on_disk.values())}.{len(on_disk)}"
        if oxum.strip() != actual:
            report.add(
                ERROR,
                "payload-oxum-mismatch",
                layout.BAG_INFO_TXT,
                f"bag-info.txt says the evidence is {_oxum_words(oxum)}, "
                f"but the folder holds {_oxum_words(actual)}.",
            )

    return manifest, PendingHashes(bag, report, to_hash, progress, workers)


def _oxum_words(oxum: str) -> str:
    octets, _, count = oxum.partition(".")
    return f"{count} files, {octets} bytes"


# ---- beside the bag ------------------------------------------------------------------------


def check_extras(bag: BagView, report: VerifyReport) -> None:
    for entry in bag.top_level():
        if entry in _KNOWN_AT_ROOT or entry in _IGNORED_AT_ROOT:
            continue
        if entry.startswith(".ek-tmp-"):
            report.add(
                WARNING,
                "leftover-temp-file",
                entry,
                f"{entry} is a leftover temporary file from an interrupted command; "
                "it is not part of the case.",
            )
            continue
        report.add(
            WARNING,
            "extra-file",
            entry,
            f"{entry} is not part of the case (BagIt allows extra files; it is not covered by any manifest).",
        )


def check_links(bag: BagView, report: VerifyReport) -> None:
    """Links and special files outside data/ (data/ has its own codes): never followed or opened."""
    for path, kind in bag.links_and_specials():
        if kind == "link":
            report.add(
                ERROR,
                "case-link",
                path,
                f"{path} is a symbolic link; a case holds only real files and folders, and evidencekit "
                "never follows a link inside one (what it points to was not checked).",
            )
        else:
            report.add(
                ERROR,
                "case-special-file",
                path,
                f"{path} is not a regular file or folder (a FIFO, socket or device); it was not opened.",
            )


__all__ = [
    "check_bag_info",
    "check_case_json",
    "check_declaration",
    "check_extras",
    "check_links",
    "check_payload",
    "check_tag_manifest",
    "read_text",
]
