"""The readers of old Facebook pages, TikTok's TXT download and signal-export's page, fed a damaged
copy of their realistic fixture, end in a plain outcome, never "a bug" (as test_damaged_exports
checks for every other format)."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.exports import detect
from evidencekit.exports.source import SourceRefused, open_source
from tests.exports.conftest import read_export
from tests.exports.test_damaged_exports import damage
from tests.exports.test_facebook_legacy import message, one_page_download, thread
from tests.exports.test_signal import NEWER_PAGE, OLDER_PAGE, _html_only_export
from tests.exports.test_tiktok import _txt_download
from tests.fuzzing import examples


def _facebook(folder: Path) -> Path:
    return one_page_download(
        folder / "facebook-samvance",
        thread(
            "Riley Kay, Sam Vance",
            message("Riley Kay", "Tuesday, 3 March 2015 at 21:07 UTC+01", "send me a picture"),
            message(
                "Sam Vance", "Dienstag, 3. März 2015 um 21:08 UTC+01", "nein", '<img src="photos/1.jpg" />'
            ),
        ),
    )


MAKERS = {
    "facebook-legacy": _facebook,
    "tiktok-txt": _txt_download,
    "signal-html-older": lambda folder: _html_only_export(folder, OLDER_PAGE),
    "signal-html-newer": lambda folder: _html_only_export(folder, NEWER_PAGE),
}
_runs = itertools.count()


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(MAKERS)),
    pick=st.integers(min_value=0),
    how=st.sampled_from(["cut short", "bytes replaced", "bytes inserted", "bytes lost"]),
    where=st.floats(min_value=0, max_value=1, allow_nan=False),
    noise=st.binary(min_size=1, max_size=40),
)
def test_a_damaged_export_of_the_newer_readers_is_never_a_crash(
    tmp_path: Path, kind: str, pick: int, how: str, where: float, noise: bytes
):
    folder = tmp_path / f"run{next(_runs)}"
    folder.mkdir()
    export = MAKERS[kind](folder)
    files = [export] if export.is_file() else sorted(p for p in export.rglob("*") if p.is_file())
    hit = files[pick % len(files)]
    hit.write_bytes(damage(hit.read_bytes(), how, where, noise))

    try:
        source = open_source(export, export.name)
    except SourceRefused:
        return
    try:
        recognised = detect(source) is not None
    finally:
        source.close()
    if not recognised:
        return
    result = read_export(export, folder / "out")
    assert not result.outcome.bug, result.outcome.problem
    assert result.outcome.status in {"complete", "partial", "unreadable"}
    if result.outcome.status in {"partial", "unreadable"}:
        assert result.outcome.problem
