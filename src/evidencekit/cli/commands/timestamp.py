"""timestamp: a trusted time (RFC 3161) for every item that has none yet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencekit.cli.app import CHECK, command
from evidencekit.cli.options import CaseOption, JsonOption, open_case

if TYPE_CHECKING:
    from evidencekit.handover.item_timestamp import StampResult, TsaClient

# When no --tsa is given: a TSA whose root certificate operating systems already trust, so an
# officer's computer can check its tokens without fetching anything.
DEFAULT_TSA = "http://timestamp.digicert.com"

TsaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tsa",
        help=f"The RFC 3161 time-stamping authority (URL) to ask. Repeatable. Default: {DEFAULT_TSA}.",
        show_default=False,
    ),
]
TsaCaOption = Annotated[
    list[Path] | None,
    typer.Option("--tsa-ca", help="The TSA's root certificate (PEM), if this computer does not trust it."),
]


@command("timestamp", order=39, panel=CHECK)
def timestamp(
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ITEM]...",
            help="Items to time-stamp, e.g. E0001. Default: every item without one.",
            show_default=False,
        ),
    ] = None,
    tsa: TsaOption = None,
    tsa_ca: TsaCaOption = None,
    case: CaseOption = None,
    json: JsonOption = False,
) -> None:
    """Get a trusted time for each item from a time-stamping authority (uses the network).

    Each item's record (its SHA-256, size and capture time) is sent, as a hash, to the TSA, whose
    signed answer proves the item existed at that time, whatever this computer's clock said. For
    items captured offline, in one go; capture --timestamp does it at capture. Kept beside each item
    (data/derived/ITEM/trusted-time/) and checked by verify and by openssl (see seal/VERIFY.txt).

    Example:  evidencekit timestamp --tsa https://freetsa.org/tsr
    """
    from evidencekit.cli import output
    from evidencekit.handover.item_timestamp import item_reference, stamp_items

    client = tsa_client(tsa or [], tsa_ca or [])
    the_case = open_case(case)
    wanted = [item_reference(i) for i in items] if items else None
    with output.progress_bar("Time-stamping", total=0, unit="items") as bar:
        result = stamp_items(
            the_case, client, wanted, progress=lambda done, total, label: bar(done, label, total)
        )
    output.recovered(result.recovered)
    if json:
        output.print_json(result_json(result))
    else:
        render(result, the_case.info.zone)
    if result.failed and not result.stamped:
        from evidencekit.errors import EvidenceKitError

        raise EvidenceKitError(
            f"No item was time-stamped: {failure_words(result)}.",
            hint="The items are kept as they were. Try again later, or another TSA: "
            "evidencekit timestamp --tsa URL",
        )
    if not json and result.stamped:
        output.next_step(
            "evidencekit verify checks each token; when you seal the case, seal/VERIFY.txt says how anyone "
            "can check them with openssl."
        )


def tsa_client(urls: list[str], ca_files: list[Path]) -> TsaClient:
    from evidencekit.errors import InputFileError
    from evidencekit.handover.item_timestamp import TsaClient

    certificates = []
    for path in ca_files:
        try:
            certificates.append(path.read_bytes())
        except OSError as exc:
            raise InputFileError(
                f"The certificate file {path} cannot be read ({exc.strerror}).",
                hint="Give the TSA's root certificate as a PEM file: --tsa-ca FILE",
            ) from None
    return TsaClient(list(dict.fromkeys(urls or [DEFAULT_TSA])), certificates)


def failure_words(result: StampResult) -> str:
    """Each TSA's reason, once: “the TSA http://… could not be reached (…)”."""
    reasons: dict[str, str] = {}
    for stamp in result.failed:
        for failure in stamp.failures:
            reasons.setdefault(failure["tsa_url"], failure["problem"])
    if not reasons:
        return "no TSA answered"
    return "; ".join(f"the TSA {url}: {problem}" for url, problem in reasons.items())


def result_json(result: StampResult) -> dict[str, Any]:
    return {
        "format": "evidencekit-timestamp-result/1",
        "stamped": [s.document for s in result.stamped],
        "already": list(result.already),
        "failed": [{"item": s.item_id, "failures": list(s.failures)} for s in result.failed],
    }


def render(result: StampResult, zone_name: str | None) -> None:
    from evidencekit.cli import output
    from evidencekit.cli.output import plain
    from evidencekit.handover.item_timestamp import delay_words, offset_words

    for stamp in result.stamped:
        assert stamp.document is not None
        for token in stamp.document["tokens"]:
            offset = offset_words(token["clock_offset_seconds"])
            output.success(
                f"{plain(stamp.item_id)} “{plain(stamp.name)}”: trusted time "
                f"{plain(output.human_time(token['gen_time'], zone_name))} from "
                f"{plain(token['tsa'] or token['tsa_url'])}, {plain(delay_words(token['delay_seconds']))} "
                f"(this computer's clock was {plain(offset)})."
            )
            if not token["checked"]:
                output.warn(
                    "Its signature could not be checked here: the TSA's root certificate is unknown to this "
                    "computer. The token is kept; check it with the root the TSA publishes (openssl ts "
                    "-verify, as seal/VERIFY.txt says), or give that root to evidencekit timestamp --tsa-ca."
                )
        for failure in stamp.document["failures"]:
            output.warn(
                f"{plain(stamp.item_id)}: the TSA {plain(failure['tsa_url'])} did not time-stamp it: "
                f"{plain(failure['problem'])}."
            )
    if result.failed and result.stamped:
        names = ", ".join(s.item_id for s in result.failed[:8]) + ("…" if len(result.failed) > 8 else "")
        output.warn(
            f"Not time-stamped, and kept as they were: {plain(names)} ({plain(failure_words(result))}). "
            "Run evidencekit timestamp again later."
        )
    if result.already:
        names = ", ".join(result.already[:8]) + ("…" if len(result.already) > 8 else "")
        output.note(f"{len(result.already)} item(s) already had a trusted time ({plain(names)}).")
    if not (result.stamped or result.failed or result.already):
        output.note("This case has no items to time-stamp yet.")


def stamp_new_items(the_case: Any, client: TsaClient, item_ids: list[str]) -> StampResult:
    """capture --timestamp: the items just saved, stamped in a change of their own."""
    from evidencekit.cli import output
    from evidencekit.handover.item_timestamp import stamp_items

    with output.progress_bar("Time-stamping", total=0, unit="items") as bar:
        return stamp_items(
            the_case, client, item_ids, progress=lambda done, total, label: bar(done, label, total)
        )


def render_after_capture(result: StampResult, zone: str | None) -> None:
    """What capture --timestamp adds: each trusted time, or one sentence when none was given (the
    items are saved either way, so the capture still ends well)."""
    from evidencekit.cli import output

    if result.failed and not result.stamped:
        output.warn(
            f"The items are saved, but without a trusted time: {output.plain(failure_words(result))}. "
            "To try again later: evidencekit timestamp"
        )
        return
    render(result, zone)
