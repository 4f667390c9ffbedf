"""``linkcheck fix``, the plan: which citations a check's results call to rewrite, and to what.

A permanent redirect becomes its final URL (same host unless asked otherwise); a dead
citation becomes its verified archived copy, text fragment kept; with ``--robust``, a link with
a verified copy becomes a Robust Link.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Protocol
from urllib.parse import urldefrag, urlsplit

from linkcheck.model import (
    FETCH_FAILED,
    PAGE_ALIVE,
    Fix,
    Location,
    Result,
    Skipped,
    Status,
    host_of,
)

ALREADY_ROBUST = "already a Robust Link"
# A DOI resolver URL in an older form: the dx. host, or plain http.
_OLD_DOI_URL = re.compile(r"^(?:https?://dx\.doi\.org/|http://(?:www\.)?doi\.org/)(10\..+)$", re.I)


class SnapshotRecords(Protocol):
    """The snapshot ``linkcheck archive`` recorded for each page (the cache)."""

    def snapshot(self, url: str) -> tuple[str, str, str] | None: ...


class CopyRecords(Protocol):
    """The copies ``linkcheck archive`` found of each page, and their verifications."""

    def copies(self, url: str, max_age: float) -> list[tuple[str, str]] | None: ...
    def copy_check(self, copy_url: str, fragment: str) -> tuple[bool, str] | None: ...


def plan_fixes(
    results: Sequence[Result],
    snapshots: SnapshotRecords | None,
    copies: CopyRecords | None,
    *,
    wayback_url: str,
    cross_host: bool,
    fail_after: int,
    citation_dates: dict[str, date],
    document_dates: dict[str, date] | None = None,
    robust: bool = False,
    beside: Collection[str] = (),
    archive_live: bool = False,
) -> tuple[list[Fix], list[Skipped]]:
    """The fixes the results call for, and the fixable citations left alone (with why).

    With ``robust``, every link with a verified archived copy is also to become a Robust Link,
    dated by its own document (``document_dates``), else by its nearest copy. In the files of
    ``beside`` (wikitext), a dead citation keeps its URL and gains its verified copy beside it,
    or a dead-link tag when there is none; with ``archive_live``, so does a live one its copy.
    """
    fixes: list[Fix] = []
    skipped: list[Skipped] = []
    for result in results:
        fetch = result.fetch
        if fetch is None or result.status is Status.EXCLUDED:
            continue  # not fetched, or left alone on purpose (an ignore)
        cited_on = citation_dates.get(result.url)
        found = verified_copies(result.url, snapshots, copies, wayback_url, cited_on)
        new, why, problem = None, "", None
        if fetch.status is Status.REDIRECTED and fetch.final_url:
            new, why = _with_fragment(fetch.final_url, result.url), "moved permanently"
            if not cross_host and host_of(fetch.final_url) != host_of(result.url):
                elsewhere = host_of(fetch.final_url)
                new, problem = None, f"moved to another host ({elsewhere}): --cross-host"
        elif _dead(fetch.status, fetch.failures, fail_after):
            if not found:
                problem = "dead, with no verified archived copy (run linkcheck archive first)"
            else:
                new, why = found[0][0], f"{fetch.status.value}: its verified archived copy"
        elif result.work is not None and (preferred := preferred_doi_url(result.url)):
            new, why = preferred, "a DOI in the form the DOI Foundation recommends"
        dead = _dead(fetch.status, fetch.failures, fail_after)
        claims = result.claims
        revived = (
            result.status in PAGE_ALIVE
            and claims is not None
            and (claims.dead_tag is not None or claims.status == "dead")
        )
        for location in result.locations:
            if location.file in beside and revived:
                why = "alive again: marked live, its dead-link tag removed"
                fixes.append(Fix(location, result.url, result.url, why, beside="revived"))
            elif location.file in beside and (dead or (archive_live and found and not new)):
                fixes.append(_beside(location, result.url, found, dead, fetch.status))
            elif robust and found:
                made = (document_dates or {}).get(location.file)
                version_date = made.isoformat() if made else found[0][1]
                fixes.append(
                    Fix(
                        location,
                        result.url,
                        new or result.url,
                        f"{why} and a Robust Link" if why else "a Robust Link",
                        tuple(found[:3]),
                        version_date,
                    )
                )
            elif new is not None and new != result.url:
                fixes.append(Fix(location, result.url, new, why))
            elif problem is not None:
                skipped.append(Skipped(location, result.url, problem))
    return fixes, skipped


def _beside(
    location: Location, url: str, found: list[tuple[str, str]], dead: bool, status: Status
) -> Fix:
    """A citation to gain its verified copy (or, dead with none, a dead-link tag) beside it."""
    if not found:
        why = f"{status.value}, with no verified archived copy: tagged as a dead link"
        return Fix(location, url, url, why, beside="unarchived")
    copy, day = found[0]
    why = (
        f"{status.value}: its verified archived copy, beside it"
        if dead
        else "a live source's verified archived copy, beside it"
    )
    return Fix(location, url, copy, why, version_date=day, beside="dead" if dead else "live")


def preferred_doi_url(url: str) -> str | None:
    """``https://doi.org/…`` for a DOI cited at ``http://dx.doi.org/…`` or ``http://doi.org/…``
    (None when it is already so written)."""
    match = _OLD_DOI_URL.match(url)
    return f"https://doi.org/{match.group(1)}" if match else None


def _dead(status: Status, failures: int, fail_after: int) -> bool:
    if status is Status.BROKEN:
        return True
    return status in FETCH_FAILED and failures >= fail_after


def _with_fragment(target: str, cited: str) -> str:
    fragment = urldefrag(cited).fragment if "#" in cited else ""
    if not fragment or "#" in target:
        return target
    return f"{target}#{fragment}"


def verified_copies(
    url: str,
    snapshots: SnapshotRecords | None,
    copies: CopyRecords | None,
    wayback_url: str,
    cited_on: date | None,
) -> list[tuple[str, str]]:
    """The verified archived copies of ``url`` (fragment kept) and their dates (YYYY-MM-DD),
    one per archive, nearest the citation's date first, as ``linkcheck archive`` recorded them."""
    if snapshots is None or copies is None:
        return []
    page, fragment = urldefrag(url)
    fragment = fragment if "#" in url else ""
    candidates: dict[str, str] = {}
    recorded = snapshots.snapshot(page)
    if recorded is not None:
        timestamp, original, _ = recorded
        candidates[f"{wayback_url.rstrip('/')}/web/{timestamp}/{original}"] = timestamp
    for copy_url, timestamp in copies.copies(page, float("inf")) or []:
        candidates.setdefault(copy_url, timestamp)
    target = int((cited_on or datetime.now(UTC).date()).strftime("%Y%m%d"))
    found: list[tuple[str, str]] = []
    archives: set[str] = set()
    for copy_url, stamp in sorted(candidates.items(), key=lambda c: abs(int(c[1][:8]) - target)):
        archive = urlsplit(copy_url).netloc.lower()
        check = copies.copy_check(copy_url, fragment)
        if archive in archives or check is None or not check[0]:
            continue
        archives.add(archive)
        day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
        found.append((copy_url + (f"#{fragment}" if fragment else ""), day))
    return found
