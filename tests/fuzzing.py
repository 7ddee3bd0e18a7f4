"""How hard the property tests search: reproducible in the suite, deeper on request.

The suite runs Hypothesis derandomized (the "suite" profile in conftest.py): every run tries the
same examples, so CI fails only when a change of ours breaks something, never by the luck of a
new random draw. Finding new bugs is a separate, deliberate run with random examples and many
more of them:

    EVIDENCEKIT_FUZZ_SCALE=40 .venv/bin/python -m pytest --hypothesis-profile=explore \\
        tests/exports/test_damaged_exports.py tests/hardening tests/handover/test_tarstream.py

Anything such a run finds is fixed and then pinned in the test with `@example(...)`.
"""

from __future__ import annotations

import os


def examples(count: int) -> int:
    """`count` examples in the suite; `count` × EVIDENCEKIT_FUZZ_SCALE in an exploring run."""
    try:
        scale = int(os.environ.get("EVIDENCEKIT_FUZZ_SCALE", "1"))
    except ValueError:
        scale = 1
    return max(1, count * max(1, scale))
