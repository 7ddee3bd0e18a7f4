"""Where everything lives inside a case folder (the contract in docs/reference/case-format.md)."""

from __future__ import annotations

FORMAT_VERSION = 1
CASE_FORMAT = f"evidencekit-case/{FORMAT_VERSION}"

BAGIT_TXT = "bagit.txt"
BAG_INFO_TXT = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"

DATA_DIR = "data"
ITEMS_DIR = "data/items"
DERIVED_DIR = "data/derived"
REPORT_DIR = "data/derived/report"  # the case report: derived from the whole case, not one item
WEB_DIR = "data/web"

RECORDS_DIR = "evidencekit"
CASE_JSON = "evidencekit/case.json"
ITEMS_JSONL = "evidencekit/items.jsonl"
URLS_JSONL = "evidencekit/urls.jsonl"
CUSTODY_JSONL = "evidencekit/custody.jsonl"

SEAL_DIR = "seal"
SEAL_HISTORY_DIR = "seal/history"
SIGNATURE = "seal/tagmanifest-sha256.txt.sig"
SSH_SIGNATURE = "seal/tagmanifest-sha256.txt.sshsig"
SIGNER_PUB = "seal/signer.pub"
SIGNER_PEM = "seal/signer.pem"
ALLOWED_SIGNERS = "seal/allowed_signers"
VERIFY_TXT = "seal/VERIFY.txt"
SEAL_JSON = "seal/seal.json"
TIMESTAMPS_JSON = "seal/timestamps.json"

# Working files of a running command; never part of the evidence. Recognised (and cleaned up)
# on the next open, ignored by BagIt validators because no manifest lists them.
LOCK_FILE = ".evidencekit.lock"
TXN_DIR = ".evidencekit-txn"

BAGIT_DECLARATION = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
