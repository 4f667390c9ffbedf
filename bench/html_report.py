"""The HTML report at scale, in headless Chromium: 20,000 citations (10,000 URLs cited twice
each, over 200 documents, statuses as a large documentation set has them) rendered to one page;
its size, the time to render it, the time to first paint, and the time to apply a status filter
and a search (each measured in the page, to the next frame painted).

    python bench/html_report.py [--citations 20000] [--screenshot docs/html-report.png]

``--screenshot`` also writes the picture of a small sample report the README shows.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import Browser, chromium

from linkcheck.model import (
    DEFAULT_FAIL_ON,
    ArchivedCopy,
    FetchResult,
    FragmentOutcome,
    FragmentState,
    Location,
    ManifestEntry,
    Result,
    SnapshotKind,
    Status,
)
from linkcheck.report.html import RunInfo, render_html

MIX = [
    (Status.OK, 84), (Status.BROKEN, 4), (Status.REDIRECTED, 4), (Status.BLOCKED, 3),
    (Status.FRAGMENT_MISSING, 2), (Status.ERROR, 1), (Status.CHANGED, 1), (Status.TIMEOUT, 1),
]  # fmt: skip
REASONS = {
    Status.OK: "HTTP 200 OK", Status.BROKEN: "HTTP 404 Not Found",
    Status.REDIRECTED: "moved permanently (HTTP 301)", Status.BLOCKED: "HTTP 403: a bot wall",
    Status.FRAGMENT_MISSING: "the quoted words are not on the page",
    Status.ERROR: "HTTP 503 after 3 retries", Status.CHANGED: "the page's text is 83% different",
    Status.TIMEOUT: "no complete response within 20 s",
}  # fmt: skip
PAINTED = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def corpus(citations: int, rng: random.Random) -> list[Result]:
    statuses = [status for status, weight in MIX for _ in range(weight)]
    results = []
    for n in range(citations // 2):
        status = rng.choice(statuses)
        host = f"www.source{n % 400}.example.org"
        url = f"https://{host}/news/2026/{n}/a-story-about-something-{n}"
        fetch = FetchResult(status, REASONS[status], failures=1,
                            drift=rng.random() * 10 if status is Status.OK else None)  # fmt: skip
        fragments = []
        if status is Status.FRAGMENT_MISSING:
            url += "#:~:text=the%20quoted%20words"
            fragments.append(FragmentOutcome("the%20quoted%20words", "text", FragmentState.MISSING,
                                             "not on the page"))  # fmt: skip
        places = [Location(f"docs/section-{(n + k) % 200}/page.md", 10 + n % 300, 5,
                           f"the source {n}") for k in (0, 97)]  # fmt: skip
        results.append(Result(url, status, REASONS[status], fetch, places, fragments))
    return results


def measure(citations: int) -> None:
    rng = random.Random(28)
    results = corpus(citations, rng)
    started = time.perf_counter()
    info = RunInfo("check", ("docs/",), datetime.now(UTC), 12.3, citations)
    page = render_html(results, info, fail_on=DEFAULT_FAIL_ON, fail_after=1)
    rendered = time.perf_counter() - started
    executable = chromium()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "report.html"
        path.write_text(page, encoding="utf-8")
        size = path.stat().st_size
        print(f"{citations:,} citations of {len(results):,} URLs: {size / 1e6:.2f} MB "
              f"(target < 8 MB), rendered in {rendered:.2f} s")  # fmt: skip
        if executable is None:
            print("no Chromium here: the browser timings need it (apt-get install chromium)")
            return
        with Browser(executable) as browser:
            opened = time.perf_counter()
            browser.open(path)
            loaded = time.perf_counter() - opened
            paint = browser.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0].startTime"
            )
            filtering = browser.evaluate(
                "(async () => { const s = document.getElementById('status');"
                " const t = performance.now(); s.value = 'broken';"
                f" s.dispatchEvent(new Event('change')); await {PAINTED};"
                " return performance.now() - t; })()"
            )
            searching = browser.evaluate(
                "(async () => { document.getElementById('status').value = '';"
                " const q = document.getElementById('search');"
                " const t = performance.now(); q.value = 'story-about-something-4242';"
                f" q.dispatchEvent(new Event('input')); await {PAINTED};"
                " return performance.now() - t; })()"
            )
            shown = browser.evaluate("document.getElementById('shown').innerText")
            print(f"Chromium: first contentful paint {paint:.0f} ms, loaded in {loaded:.2f} s; "
                  f"filter by status {filtering:.0f} ms, search {searching:.0f} ms ({shown}); "
                  f"errors: {len(browser.errors())}")  # fmt: skip


def sample() -> tuple[list[Result], dict[str, ManifestEntry]]:
    """A small report to look at, as a newsroom's check of two articles might give."""

    def cite(url: str, status: Status, reason: str, file: str, line: int, text: str,
             **more: object) -> Result:  # fmt: skip
        fetch = FetchResult(status, reason, failures=1, drift=more.pop("drift", None))  # type: ignore[arg-type]
        if "final" in more:
            fetch.final_url, fetch.redirects = str(more.pop("final")), [str(url)]
        return Result(url, status, reason, fetch, [Location(file, line, 12, text)], **more)  # type: ignore[arg-type]

    quote = FragmentOutcome("council%20approved", "text", FragmentState.FOUND, "found once")
    gone = FragmentOutcome("budget%20of%20%2412m", "text", FragmentState.MISSING,
                           "not on the page (the page now reads: budget of $14m)")  # fmt: skip
    results = [
        cite(
            "https://news.example.org/2026/council-budget#:~:text=budget%20of%20%2412m",
            Status.FRAGMENT_MISSING,
            "the quoted words are not on the page",
            "articles/budget.md",
            14,
            "the council's budget",
            fragments=[gone],
            witness="the copy of 2026-03-02 has the quoted words",
        ),
        cite(
            "https://data.example.gov/reports/2025-annual.pdf",
            Status.BROKEN,
            "HTTP 404 Not Found",
            "articles/budget.md",
            22,
            "the annual report",
        ),
        cite(
            "https://news.example.org/2026/council-vote#:~:text=council%20approved",
            Status.OK,
            "HTTP 200 OK",
            "articles/budget.md",
            9,
            "approved on Tuesday",
            fragments=[quote],
            drift=3.0,
        ),
        cite(
            "http://old.example.com/press/release-17",
            Status.REDIRECTED,
            "moved permanently (HTTP 301)",
            "articles/budget.md",
            31,
            "press release",
            final="https://www.example.com/press/2026/release-17",
        ),
        cite(
            "https://www.example-paper.com/politics/article-4411",
            Status.BLOCKED,
            "HTTP 403: a bot wall (Cloudflare challenge)",
            "articles/transit.md",
            5,
            "as first reported",
        ),
        cite(
            "https://transit.example.org/plan",
            Status.CHANGED,
            "the page's text is 83% different from when linkcheck first saw it on 2026-02-24",
            "articles/transit.md",
            18,
            "the transit plan",
            drift=83.0,
        ),
        cite(
            "https://stats.example.org/ridership",
            Status.OK,
            "HTTP 200 OK",
            "articles/transit.md",
            27,
            "ridership figures",
            drift=0.0,
        ),
    ]
    wayback = "https://web.archive.org/web"
    entries = {
        results[0].url: ManifestEntry(results[0].url, "fragment_missing", SnapshotKind.EXISTING,
            "a recent snapshot", f"{wayback}/20260302101500/{results[0].url}",
            "2026-03-02T10:15:00Z", verified=True, verification="has the quoted words"),
        results[1].url: ManifestEntry(results[1].url, "broken", SnapshotKind.SUGGESTED,
            "dead: its newest good snapshot", f"{wayback}/20251120080000/{results[1].url}",
            "2025-11-20T08:00:00Z", verified=True, verification="a 200 capture of the page"),
        results[2].url: ManifestEntry(results[2].url, "ok", SnapshotKind.CAPTURED,
            "captured", f"{wayback}/20260308120000/{results[2].url}", "2026-03-08T12:00:00Z",
            verified=False, verification="captured at 2026-03-08 12:00 UTC; not replayable yet"),
    }  # fmt: skip
    for entry in entries.values():
        url, when = entry.archive_url or "", entry.archived_at or ""
        entry.copies = [
            ArchivedCopy("web.archive.org", url, when, entry.verified, entry.verification)
        ]
    return results, entries


def screenshot(target: Path) -> None:
    executable = chromium()
    if executable is None:
        print("no Chromium here: no screenshot")
        return
    results, entries = sample()
    info = RunInfo("archive", ("articles/",), datetime(2026, 3, 8, 12, 5, tzinfo=UTC), 8.4,
                   len(results))  # fmt: skip
    page = render_html(results, info, fail_on=DEFAULT_FAIL_ON, fail_after=1, entries=entries)
    with tempfile.TemporaryDirectory() as scratch, Browser(executable) as browser:
        path = Path(scratch) / "report.html"
        path.write_text(page, encoding="utf-8")
        browser.open(path)
        browser.screenshot(target, width=1280, height=1100)
    print(f"wrote {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citations", type=int, default=20_000)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    measure(args.citations)
    if args.screenshot:
        screenshot(args.screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
