"""hashes: the hashes that stop images spreading, and the lists hash-matching services take."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case


@command("hashes", order=52, panel=CHECK)
def hashes(
    service: Annotated[
        str | None,
        typer.Option(
            "--for",
            metavar="SERVICE",
            help="Write the hash list for stopncii, ncmec or csv (every hash, for a platform or an officer).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Save the list to this file (outside the case) instead of printing."),
    ] = None,
    everything: Annotated[
        bool,
        typer.Option("--all", help="List pictures and videos not marked sensitive too (stopncii, ncmec)."),
    ] = False,
    with_names: Annotated[
        bool,
        typer.Option("--with-names", help="Add the original file names (they may say who is in a picture)."),
    ] = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Record the perceptual hash (PDQ) of every picture, and write hash lists for StopNCII or NCMEC.

    Without --for: hashes every picture and video the case has no PDQ or SHA-1 for yet (cases
    captured before evidencekit made them), where it is, and records them (a logged change).
    Pictures are decoded in memory only; nothing is copied, previewed or sent anywhere.

    With --for: writes the list. It holds hashes only: no picture, and no file name unless
    --with-names. evidencekit sends nothing; you, a helpline or an officer submit the file.

    Example:  evidencekit hashes --for stopncii --out stopncii-hashes.json
    """
    from evidencekit.errors import InvalidValueError
    from evidencekit.perceptual import backfill, hashlist

    if service is not None and service.lower() not in hashlist.FORMATS:
        raise InvalidValueError(
            f"“{service}” is not a hash list evidencekit writes.",
            hint="Use --for stopncii, --for ncmec or --for csv.",
        )
    if service is None and (out is not None or everything or with_names):
        raise InvalidValueError(
            "--out, --all and --with-names choose what goes into a hash list.",
            hint="Add --for stopncii, --for ncmec or --for csv, "
            "e.g. evidencekit hashes --for csv --out hashes.csv",
        )
    if out is not None:
        from evidencekit.cli.commands._destinations import output_file

        out = output_file(out, "--out", "the hash list")
    the_case = open_case(case)
    if out is not None:
        from evidencekit.cli.commands._listfile import refuse_inside_case

        refuse_inside_case(out, the_case.root, "the hash list", "stopncii-hashes.json")
    if the_case.is_sealed():
        if service is None:
            from evidencekit.errors import CaseSealedError

            raise CaseSealedError(
                "This case is sealed, so the hashes it lacks cannot be recorded in it.",
                hint="A list can still be made (evidencekit hashes --for stopncii), or run: "
                "evidencekit reopen, then evidencekit hashes, then seal again.",
            )
        result = backfill.compute_missing(the_case)
    else:
        result = backfill.add_missing(the_case)
    if service is None:
        _summary(result, json)
        return
    kind = service.lower()
    rows = hashlist.chosen(result.rows, kind, everything)
    text = hashlist.render(rows, kind, with_names=with_names)
    if out is None:
        import sys

        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from evidencekit.cli.commands._listfile import save_text

        save_text(out, text, "the hash list")
    _list_summary(result, rows, kind, out, everything)


def _summary(result: Any, json: bool) -> None:
    from evidencekit.cli import output

    pictures = [row for row in result.rows if row.media == "image"]
    videos = [row for row in result.rows if row.media == "video"]
    if json:
        output.print_json(
            {
                "version": 1,
                "added": [_row_json(row) for row in result.added],
                "pictures": len(pictures),
                "pictures_with_pdq": sum(1 for row in pictures if row.pdq),
                "videos": len(videos),
            }
        )
        return
    if not result.rows:
        output.note("This case has no pictures or videos, so there is nothing to hash.")
        return
    if result.added:
        made = sum(1 for row in result.added if row.pdq)
        output.success(
            f"Hashed {len(result.added)} file(s) that had no perceptual hash yet "
            f"({made} with a PDQ); recorded in the case and in the custody log."
        )
    else:
        output.success("Every picture and video in this case already has its hashes.")
    with_pdq = sum(1 for row in pictures if row.pdq)
    output.say(
        f"Pictures: {len(pictures)}, {with_pdq} with a PDQ. Videos: {len(videos)} "
        "(MD5 only: evidencekit makes no perceptual hash of a video)."
    )
    for row in pictures:
        if not row.pdq:
            output.say(f"  {output.plain(row.label)}: no PDQ — {output.plain(row.problem or 'not hashed')}")
    output.next_step(
        "evidencekit hashes --for stopncii --out stopncii-hashes.json (or --for ncmec, --for csv)"
    )


def _list_summary(result: Any, rows: list[Any], kind: str, out: Path | None, everything: bool) -> None:
    from evidencekit.cli import output
    from evidencekit.perceptual.pdq import GOOD_QUALITY

    say = output.stderr.print
    if out is not None:
        output.success(f"Saved the {kind} hash list of {len(rows)} file(s) in {output.plain(str(out))}")
    if result.added and not result.recorded:
        say(
            f"{len(result.added)} file(s) were hashed now for this list but not recorded: the case is "
            "sealed (reopen it and run evidencekit hashes to record them)."
        )
    elif result.added:
        say(f"{len(result.added)} file(s) had no perceptual hash yet; they were hashed and recorded first.")
    if kind != "csv":
        left = [row for row in rows if row.media == "image" and not row.listed_pdq]
        if left:
            say(
                f"{len(left)} picture(s) have no PDQ of quality {GOOD_QUALITY} or more, so the list has "
                "no ImagePDQ for them" + (" (their MD5 and SHA-1 are listed)." if kind == "ncmec" else ".")
            )
        if not everything:
            others = [row for row in result.rows if not row.sensitive]
            if others:
                say(f"{len(others)} file(s) not marked sensitive were left out (add --all to list them).")
    if not rows:
        say("Nothing was listed: no picture or video in this case is marked sensitive.")


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "item": row.label,
        "kind": row.media,
        "pdq": row.pdq,
        "pdq_quality": row.pdq_quality,
        "problem": row.problem,
        "sha1": row.sha1,
        "md5": row.md5,
    }
