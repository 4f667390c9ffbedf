"""Fragment verification speed: 1,000 directives against one 2 MB page, parsed once.

Then the same with Japanese words mixed in, whose word boundaries come from ICU's dictionary,
once with ICU and once without: the ICU path should add at most 20%.

Run: ``python bench/fragments.py`` (``make bench`` runs it). Target: under 1 s in all.
"""

from __future__ import annotations

import random
import time
from urllib.parse import quote

from linkcheck.fragments.verify import Page, verify_fragments

WORDS = [
    "border", "security", "report", "national", "guard", "deployment", "fentanyl",
    "trafficking", "cut", "compared", "previous", "year", "administration", "policy",
    "release", "interior", "removal", "court", "agency", "program",
    "café", "Zürich", "straße", "résumé", "naïve",
]  # fmt: skip


JAPANESE = ["ようこそ", "日本", "国境", "報告", "安全", "政策", "東京", "大学"]


def make_page(
    target_bytes: int, rng: random.Random, words: list[str] = WORDS
) -> tuple[str, list[str]]:
    """An HTML page of about ``target_bytes`` and the sentences it contains."""
    sentences: list[str] = []
    parts = ["<!doctype html><html><head><title>Bench</title></head><body>"]
    size = 0
    while size < target_bytes:
        sentence = " ".join(rng.choice(words) for _ in range(12)) + "."
        sentences.append(sentence)
        extra = f"<b>{rng.choice(WORDS)}</b> <span class='x'>{rng.choice(WORDS)}</span>"
        chunk = f"<p>{sentence} {extra}</p>\n"
        parts.append(chunk)
        size += len(chunk.encode())
    parts.append("</body></html>")
    return "".join(parts), sentences


def run(words: list[str]) -> tuple[float, float, float, int, int, float, int]:
    """(parse, match, total seconds, found, directives, MB, blocks) for one generated page."""
    rng = random.Random(7)
    html, sentences = make_page(2 * 1024 * 1024, rng, words)
    fragments = []
    for i in range(1000):
        words = rng.choice(sentences).split()
        start = rng.randrange(0, len(words) - 4)
        quoted = " ".join(words[start : start + 4])
        if i % 10 == 0:
            quoted += " missing"  # one in ten is not on the page (exercises drift hints)
        fragments.append(":~:text=" + quote(quoted, safe=""))
    started = time.perf_counter()
    page = Page(html.encode(), "text/html; charset=utf-8")
    parse_started = time.perf_counter()
    page.folded  # noqa: B018 - parse and fold once, timed separately
    parsed = time.perf_counter()
    outcomes = verify_fragments(fragments, page)
    finished = time.perf_counter()
    found = sum(all(o.state == "found" for o in outcomes[f]) for f in fragments)
    size = len(html.encode()) / 1e6
    blocks = len(page.searchable.runs)
    parse, match, total = parsed - parse_started, finished - parsed, finished - started
    return parse, match, total, found, len(fragments), size, blocks


def main() -> None:
    parse, match, total, found, count, size, blocks = run(WORDS)
    print(f"page: {size:.1f} MB, {blocks:,} blocks; {count} directives")
    print(f"parse + fold: {parse:.2f} s; match: {match:.2f} s")
    print(f"total: {total:.2f} s (target < 1 s); found {found}, missing {count - found}")
    mixed = WORDS + JAPANESE
    with_icu = run(mixed)
    from linkcheck.fragments import match as matcher

    matcher._word_breaker = lambda: None  # type: ignore[assignment]  # ICU "not installed"
    without_icu = run(mixed)
    print(
        f"with Japanese words: {with_icu[2]:.2f} s with ICU, {without_icu[2]:.2f} s without "
        f"(ICU adds {with_icu[2] / without_icu[2] - 1:+.0%}; target <= +20%); "
        f"found {with_icu[3]} with ICU, {without_icu[3]} without"
    )


if __name__ == "__main__":
    main()
