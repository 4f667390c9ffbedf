"""A manifest entry for each citation: its page's snapshot, every copy looked at (nearest to
the citation's date first), the one named, and what the archive witnesses."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from urllib.parse import urldefrag

from linkcheck.archive.capture import PageOutcome
from linkcheck.archive.copies import Candidate, distance
from linkcheck.archive.verify import CopyCheck, witness_of
from linkcheck.model import ArchivedCopy, ManifestEntry, Result, SnapshotKind, iso_utc

_TAG = re.compile(r"<[^>]*>")


def plain_words(reason: str, longest: int = 300) -> str:
    """A reason as plain words: markup a service answered with (an HTML error page, through
    waybackpy) removed, whitespace collapsed, and cut at ``longest`` characters."""
    words = " ".join(html.unescape(_TAG.sub(" ", reason)).split())
    return words if len(words) <= longest else words[: longest - 1] + "…"


def manifest_entry(
    result: Result,
    outcome: PageOutcome,
    checks: list[tuple[Candidate, CopyCheck]],
    *,
    cited_on: date | None,
    own_copy: str | None,
) -> ManifestEntry:
    """``result``'s entry; ``own_copy`` is the replay URL of the snapshot in ``outcome``."""
    fragment = result.fragment
    moment = (
        datetime.combine(cited_on, datetime.min.time(), tzinfo=UTC)
        if cited_on
        else datetime.now(UTC)
    )
    copies = [
        ArchivedCopy(
            archive=candidate.archive,
            url=candidate.url + (f"#{fragment}" if fragment else ""),
            captured_at=iso_utc(candidate.captured_at),
            verified=check.verified,
            reason=plain_words(check.reason),
        )
        for candidate, check in sorted(
            checks, key=lambda pair: distance(pair[0].captured_at, moment)
        )
    ]
    chosen = next((c for c in copies if c.verified), None)
    waiting = None if chosen is not None else _waiting_copy(outcome, own_copy, copies)
    named = chosen or waiting
    reason = outcome.reason
    if chosen is not None:
        verification = chosen.reason
    elif waiting is not None:
        when = waiting.captured_at.replace("T", " ")[:16]
        verification = f"captured at {when} UTC; not replayable yet, verified on a later run"
    elif copies:
        verification = f"no copy verified: {copies[0].reason}"
        reason += "; no verified copy"
    else:
        verification = "no copy to verify"
    return ManifestEntry(
        url=result.url,
        status=result.status.value,
        snapshot=outcome.kind,
        reason=plain_words(reason),
        archive_url=named.url if named else None,
        archived_at=named.captured_at if named else None,
        job_id=outcome.job_id,
        locations=list(result.locations),
        verified=chosen is not None,
        verification=plain_words(verification),
        citation_date=cited_on.isoformat() if cited_on else None,
        copies=copies,
        witness=witness_of(result.status, fragment, copies, cited_on),
        identifier=f"{result.work.scheme}:{result.work.identifier}" if result.work else None,
        registered_title=result.work.title if result.work else None,
    )


def _waiting_copy(
    outcome: PageOutcome, own_copy: str | None, copies: list[ArchivedCopy]
) -> ArchivedCopy | None:
    """The capture this page got (this run or an earlier one) when the archive cannot replay it
    yet: named, unverified, until a later run can verify it."""
    if outcome.kind is not SnapshotKind.CAPTURED or own_copy is None:
        return None
    return next(
        (
            c
            for c in copies
            if urldefrag(c.url).url == own_copy
            and c.verified is None
            and c.reason.startswith("not replayable yet")
        ),
        None,
    )
