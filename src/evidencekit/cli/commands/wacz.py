"""wacz: pack web captures as WACZ files, which ReplayWeb.page and pywb replay offline."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case


@command("wacz", order=53, panel=CHECK)
def wacz(
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ITEM]...",
            help="Web captures to pack, e.g. E0002. Default: every one without a WACZ.",
            show_default=False,
        ),
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="With ITEM: make the WACZ of those captures anew.")
    ] = False,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Pack each web capture's WARC as a WACZ, which an examiner replays offline.

    add-url --archive and archive-urls make it for every new capture; this command makes it for
    captures made before (a logged change). Each is saved as data/derived/ITEM/capture.wacz and
    holds the capture's WARC unchanged, with an index and the page to open. Open it in
    ReplayWeb.page (its desktop app works offline) or in pywb: see docs/how-to/archive-web-pages.md.

    Example:  evidencekit wacz
    """
    from evidencekit.cli import output
    from evidencekit.errors import CaseSealedError
    from evidencekit.web import wacz_pack

    if again and not items:
        from evidencekit.errors import InvalidValueError

        raise InvalidValueError(
            "--again makes the WACZ of the captures you name anew.",
            hint="Name them, e.g. evidencekit wacz E0002 --again (evidencekit wacz lists them).",
        )
    the_case = open_case(case)
    if the_case.is_sealed():
        raise CaseSealedError(
            "This case is sealed, so no WACZ can be added to it.",
            hint="Run evidencekit reopen, then evidencekit wacz, then seal again.",
        )
    result = wacz_pack.make_waczs(the_case, items or [], again=again)
    output.recovered(result.recovered)
    if json:
        output.print_json(_as_json(result))
    else:
        _say(result)
    if result.failed:
        raise typer.Exit(1)


def _as_json(result: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "made": [
            {
                "item": p.item_id,
                "url_id": p.url_id,
                "path": p.path,
                "sha256": p.sha256,
                "size": p.size,
                "pages": list(p.pages),
                "indexed": p.indexed,
                "left_out": p.left_out,
            }
            for p in result.made
        ],
        "already": [
            {"item": e.item_id, "url_id": e.url_id, "path": e.path, "address": e.address}
            for e in result.existing
        ],
        "failed": [{"item": f.item_id, "problem": f.problem} for f in result.failed],
    }


def _say(result: Any) -> None:
    from evidencekit.cli import output

    for packed in result.made:
        page = output.plain(packed.pages[0]) if packed.pages else "no page to open first"
        output.success(
            f"{packed.item_id} ({packed.url_id}): {packed.path}, {packed.indexed} archived response(s); "
            f"opens at {page}."
        )
    for failed in result.failed:
        output.warn(f"{failed.item_id}: no WACZ was made: {output.plain(failed.problem)}.")
    for existing in result.existing:
        output.say(
            f"{existing.item_id} ({existing.url_id}): {existing.path}, made before; "
            f"the capture of {output.plain(existing.address)}."
        )
    if result.existing:
        output.note("A WACZ is made once per capture; name one and add --again to make it anew.")
    if not (result.made or result.failed or result.already):
        output.note("This case has no web captures to pack (add-url --archive makes them).")
    elif result.made:
        output.next_step("evidencekit verify checks each WACZ; the how-to page says how to replay it.")
