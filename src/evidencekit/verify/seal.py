"""The seal checks: the signature and the seal's own files (case/seal_check.py does both, for the
current seal and for every earlier one that reopening kept in seal/history/), and a change of key.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from evidencekit.case import layout, withdraw
from evidencekit.case.bag import parse_manifest
from evidencekit.case.bagview import BagView
from evidencekit.case.custody import TOOL
from evidencekit.case.findings import ERROR, INFO, WARNING, VerifyReport
from evidencekit.case.jsonlines import loads_lines
from evidencekit.case.seal_check import (
    DESKTOP_LEFTOVERS,
    check_seal_files,
    check_signature,
    last_sealed_entry,
)
from evidencekit.case.seal_record import SEAL_FILE_NAMES, TIMESTAMP_FILE


def check_seal(
    bag: BagView,
    report: VerifyReport,
    custody: list[dict[str, Any]],
    case_json: dict[str, Any] | None,
    items: Sequence[dict[str, Any]] | None,
) -> None:
    sealed = last_sealed_entry(custody)  # None unless the log ends in a sealed state
    if not bag.exists(layout.SIGNATURE):
        if sealed is not None:
            report.add(
                ERROR,
                "seal-missing",
                layout.SEAL_DIR,
                "The custody log says the case was sealed, but the seal's signature is missing.",
            )
        else:
            report.add(
                INFO,
                "not-sealed",
                None,
                "The case is not sealed yet (run `evidencekit seal` when it is complete).",
            )
        return
    report.sealed = True
    if sealed is None:
        report.add(
            ERROR,
            "seal-not-logged",
            layout.SEAL_DIR,
            "There is a seal, but the custody log does not end in a “sealed” state.",
        )
    tagmanifest = _read_bytes(bag, layout.TAGMANIFEST)
    if tagmanifest is None:
        return
    result = check_signature(lambda name: bag.read_bytes(f"{layout.SEAL_DIR}/{name}"), tagmanifest)
    for severity, code, message in result:
        report.add(severity, code, layout.SEAL_DIR, message)
    problems, seal_info = check_seal_files(bag, sealed, case_json, items, tagmanifest, TOOL)
    if seal_info is not None and isinstance(seal_info.get("sealed_at"), str):
        report.sealed_at = seal_info["sealed_at"]
    for severity, code, path, message in problems:
        report.add(severity, code, path, message)


def _read_bytes(bag: BagView, relative: str) -> bytes | None:
    try:
        return bag.read_bytes(relative)
    except OSError:
        return None


# ---- earlier seals, kept by reopen ----------------------------------------------------------


def check_history(
    bag: BagView,
    report: VerifyReport,
    manifest: dict[str, str],
    entries: list[dict[str, Any]],
    case_json: dict[str, Any] | None,
    items: Sequence[dict[str, Any]] | None,
) -> None:
    """Earlier seals: still valid over what they signed, their other files what that seal wrote,
    nothing else kept with them, and nothing they covered was changed."""
    _history_extra_files(bag, report)
    names = bag.folders_in(layout.SEAL_HISTORY_DIR)
    if not names:
        return
    custody = _read_bytes(bag, layout.CUSTODY_JSONL) or b""
    prefix_hashes = _prefix_hashes(custody)
    for name in names:
        relative = f"{layout.SEAL_HISTORY_DIR}/{name}"
        if not name.isdigit():
            continue  # reported by _history_extra_files
        old_tags = _read_bytes(bag, f"{relative}/{layout.TAGMANIFEST}")
        if old_tags is None:
            report.add(ERROR, "earlier-seal-invalid", relative, f"{relative} has no tag manifest.")
            continue
        problems = [p for p in check_signature(_reader(bag, relative), old_tags) if p[0] == ERROR]
        for _severity, _code, message in problems:
            report.add(ERROR, "earlier-seal-invalid", relative, f"Earlier seal in {relative}: {message}")
        old_entries = {line.path: line.digest for line in parse_manifest(old_tags.decode("utf-8", "replace"))}
        problems += _check_history_files(
            bag, report, relative, old_tags, old_entries, entries, case_json, items
        )
        old_manifest = _read_bytes(bag, f"{relative}/{layout.MANIFEST}")
        if old_manifest is None or hashlib.sha256(old_manifest).hexdigest() != old_entries.get(
            layout.MANIFEST
        ):
            report.add(
                ERROR,
                "earlier-seal-invalid",
                relative,
                f"{relative}/manifest-sha256.txt is not the manifest that seal signed.",
            )
            continue
        lost = [
            line.path
            for line in parse_manifest(old_manifest.decode("utf-8", "replace"))
            if manifest.get(line.path) != line.digest
        ]
        replaced = _derived_replaced_after(custody, relative, lost, manifest)
        for path in sorted(replaced):
            report.add(
                INFO,
                "earlier-seal-derived-replaced",
                path,
                f"{path} (a derived file, not evidence) was regenerated after the earlier seal in "
                f"{relative}; the custody log records the new version.",
            )
        withdrawn = _withdrawn_after(custody, relative, [p for p in lost if p not in manifest])
        for path in sorted(withdrawn):
            report.add(
                INFO,
                "earlier-seal-derived-withdrawn",
                path,
                f"{path} (a derived file, not evidence) was withdrawn after the earlier seal in "
                f"{relative}; the custody log says why.",
            )
        lost = [path for path in lost if path not in replaced and path not in withdrawn]
        for path in lost:
            report.add(
                ERROR,
                "earlier-seal-evidence-changed",
                path,
                f"{path} was covered by the earlier seal in {relative} but is now missing or different.",
            )
        if old_entries.get(layout.CUSTODY_JSONL) not in prefix_hashes:
            report.add(
                ERROR,
                "earlier-seal-log-changed",
                relative,
                f"The custody log no longer begins with the log that the earlier seal in {relative} covered.",
            )
        if not problems and not lost:
            fp = hashlib.sha256(old_tags).hexdigest()
            report.add(
                INFO,
                "earlier-seal-ok",
                relative,
                f"Earlier seal {fp[:16]}… is valid and everything it covered is unchanged.",
            )


def _reader(bag: BagView, folder: str) -> Callable[[str], bytes]:
    """Reading the seal files of `folder` by name, as check_signature does."""
    return lambda name: bag.read_bytes(f"{folder}/{name}")


# What reopen keeps in seal/history/N/: the seal's files and tokens, and the three tag files it signed.
_HISTORY_TAG_FILES = frozenset({layout.TAGMANIFEST, layout.MANIFEST, layout.BAG_INFO_TXT})


def _history_extra_files(bag: BagView, report: VerifyReport) -> None:
    prefix = layout.SEAL_HISTORY_DIR + "/"
    for path in bag.files_under(layout.SEAL_HISTORY_DIR):
        folder, _, name = path[len(prefix) :].rpartition("/")
        if name in DESKTOP_LEFTOVERS:
            continue
        kept = folder.isdigit() and "/" not in folder
        if kept and (name in SEAL_FILE_NAMES or name in _HISTORY_TAG_FILES or TIMESTAMP_FILE.match(name)):
            continue
        report.add(
            WARNING,
            "earlier-seal-extra-file",
            path,
            f"{path} is not a file that reopening keeps with an earlier seal; no signature covers it.",
        )


def _sealed_entry_for(entries: list[dict[str, Any]], folder: str) -> tuple[dict[str, Any] | None, set[str]]:
    """The "sealed" custody entry of the seal that reopening kept in `folder`, and the ids of the
    items captured before it (the items that seal covered)."""
    sealed: dict[str, Any] | None = None
    captured: set[str] = set()
    covered: set[str] = set()
    for entry in entries:
        action = entry.get("action")
        raw = entry.get("details")
        details: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if action == "item-captured":
            captured.add(str(details.get("item")))
        elif action == "sealed":
            sealed, covered = entry, set(captured)
        elif action == "reopened" and details.get("kept_in") == folder:
            return sealed, covered
    return None, set()


def _check_history_files(
    bag: BagView,
    report: VerifyReport,
    folder: str,
    old_tags: bytes,
    old_entries: dict[str, str],
    entries: list[dict[str, Any]],
    case_json: dict[str, Any] | None,
    items: Sequence[dict[str, Any]] | None,
) -> list[tuple[str, str, str]]:
    """The files kept beside an earlier seal's signature: bag-info.txt as it signed it, and
    seal.json and VERIFY.txt rebuilt, as seal_check does for the current seal."""
    problems: list[tuple[str, str, str]] = []
    bag_info = _read_bytes(bag, f"{folder}/{layout.BAG_INFO_TXT}")
    if bag_info is None or hashlib.sha256(bag_info).hexdigest() != old_entries.get(layout.BAG_INFO_TXT):
        problems.append(
            (ERROR, "earlier-seal-invalid", f"{folder}/bag-info.txt is not the one that seal signed.")
        )
    sealed, covered = _sealed_entry_for(entries, folder)
    if sealed is None:
        problems.append(
            (
                ERROR,
                "earlier-seal-invalid",
                f"the custody log has no “sealed” entry for the seal kept in {folder}.",
            )
        )
    else:
        old_manifest = _read_bytes(bag, f"{folder}/{layout.MANIFEST}") or b""
        old_items = None if items is None else [i for i in items if str(i.get("id")) in covered]
        found, _info = check_seal_files(
            bag, sealed, case_json, old_items, old_tags, TOOL, folder=folder, manifest=old_manifest
        )
        for severity, code, _path, message in found:
            if severity == ERROR:
                problems.append((ERROR, "earlier-seal-invalid", f"{message} ({code})"))
            elif severity == WARNING:
                report.add(severity, code, folder, message)
    for _severity, _code, message in problems:
        report.add(ERROR, "earlier-seal-invalid", folder, f"Earlier seal in {folder}: {message}")
    return problems


def check_signing_keys(report: VerifyReport, entries: list[dict[str, Any]]) -> None:
    """A case sealed again with another key: the new seal proves the case is unchanged since it
    was made, but not that the person who made the first seal made this one. Say so plainly."""
    keys = [
        str((entry.get("details") or {}).get("signer_key_fingerprint"))
        for entry in entries
        if entry.get("action") == "sealed" and isinstance(entry.get("details"), dict)
    ]
    for earlier, later in itertools.pairwise(keys):
        if earlier != later:
            report.add(
                WARNING,
                "seal-key-changed",
                layout.SEAL_DIR,
                f"The case was reopened and sealed again with a different signing key: the earlier seal "
                f"used key {earlier}, the later one key {later}. The signature shows the case is unchanged "
                "since the later seal, not who made it: compare the fingerprint you were given, and ask "
                "whoever sealed the case why the key changed.",
            )


def _derived_replaced_after(
    custody: bytes, history_folder: str, paths: list[str], manifest: dict[str, str]
) -> set[str]:
    """Derived files (under data/derived/) that an earlier seal covered and that a later, logged
    command replaced: the command's custody entry lists the path and new SHA-256 in
    `details.files`, after the `reopened` entry that kept that seal in `history_folder`."""
    derived = [p for p in paths if p.startswith(layout.DERIVED_DIR + "/") and p in manifest]
    if not derived:
        return set()
    try:
        entries = loads_lines(custody.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return set()
    logged: set[tuple[str, str]] = set()
    after = False
    for entry in entries:
        details = entry.get("details") or {}
        if entry.get("action") == "reopened" and details.get("kept_in") == history_folder:
            after = True
        elif after:
            for file in details.get("files") or []:
                if isinstance(file, dict):
                    logged.add((str(file.get("path")), str(file.get("sha256"))))
    return {p for p in derived if (p, manifest[p]) in logged}


def _withdrawn_after(custody: bytes, history_folder: str, gone: list[str]) -> set[str]:
    """Of `gone` (covered by an earlier seal, no longer in the manifest), the derived files a later
    logged change withdrew (case/withdraw.py)."""
    if not gone:
        return set()
    try:
        entries = loads_lines(custody.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return set()
    return set(gone) & withdraw.withdrawn_after(entries, history_folder)


def _prefix_hashes(data: bytes) -> set[str]:
    """SHA-256 of every prefix of the log that ends at a line break."""
    out = set()
    hasher = hashlib.sha256()
    for line in data.splitlines(keepends=True):
        hasher.update(line)
        out.add(hasher.copy().hexdigest())
    return out


__all__ = ["check_history", "check_seal", "check_signing_keys"]
