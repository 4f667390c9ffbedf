"""An identifier's verdict from what its registries said: exists, retracted, registered to
another work than the one cited, or fine (with any correction or expression of concern noted)."""

from __future__ import annotations

from collections.abc import Sequence

from linkcheck.model import FetchResult, Status, Work
from linkcheck.registries.titles import best_match, mismatched


def identifier_verdict(
    label: str,
    existence: FetchResult,
    work: Work | None,
    cited_titles: Sequence[str],
    metadata_problem: str | None = None,
) -> tuple[Status, str]:
    """The status and reason of an identifier cited with ``cited_titles`` (the titles it is
    cited as; link text that is no title left out). ``label``: ``DOI`` or ``arXiv:…``."""
    if existence.status is not Status.OK:
        return existence.status, existence.reason
    if work is None:
        if metadata_problem:
            return (
                Status.OK,
                f"{existence.reason}; its record could not be read: {metadata_problem}",
            )
        return Status.OK, existence.reason
    registered = work.described()
    retraction = work.retraction
    if retraction is not None:
        return Status.RETRACTED, f"{retraction.describe()} of {registered}"
    if work.withdrawn is not None:
        return Status.RETRACTED, f"withdrawn from arXiv: {registered}, '{work.withdrawn}'"
    for cited in cited_titles:
        if mismatched(cited, work.titles):
            return Status.MISMATCH, f"the {label} is registered to {registered}, not '{cited}'"
    said = f"registered to {registered}" if work.titles else existence.reason
    notes = [_note(update.kind, update.describe()) for update in work.updates]
    matched = [best_match(cited, work.titles)[0] for cited in cited_titles if work.titles]
    if matched:
        said += f"; the cited title matches ({min(matched):.0f}%)"
    return Status.OK, "; ".join([said, *notes])


def _note(kind: str, described: str) -> str:
    if kind == "expression_of_concern":
        return f"the publisher has raised an {described}"
    if kind in ("correction", "corrigendum", "erratum"):
        return f"corrected: {described}"
    return f"updated: {described} (review it)"
