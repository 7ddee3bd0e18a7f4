"""Verify: every check an examiner would make on a case, returned as data.

It sits above every other part of evidencekit, because it runs their checks too. Where to look:

- run.py      verify_case / verify_bag: the checks in order, over a folder or an archive's bag
- bagit.py    bagit.txt, bag-info.txt, case.json, both manifests, Payload-Oxum, what lies beside
- records.py  the custody log's chain, the item records against the manifest, the originals
- seal.py     the signature and seal files, earlier seals kept by reopen, a change of key
- parts.py    the checks of story, report, web, exports, guide and the trusted timestamps
- archive.py  verify ARCHIVE (streamed, nothing on disk) and the verify after `open`

What the checks share lives in the case layer, below every part that contributes a check:
case/findings.py (Finding, VerifyReport), case/bagview.py (the bag as seen, no link followed),
case/rehash.py (re-hashing the payload in the background), case/seal_check.py (signature and seal
files) and case/verify_text.py (the VERIFY.txt the seal writes and the check rebuilds).
"""

from __future__ import annotations

from evidencekit.case.findings import Finding, VerifyReport
from evidencekit.verify.run import verify_bag, verify_case

__all__ = ["Finding", "VerifyReport", "verify_bag", "verify_case"]
