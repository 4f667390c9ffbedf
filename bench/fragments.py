"""Fragment verification speed: 1,000 directives against one 2 MB page, parsed once.

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


def make_page(target_bytes: int, rng: random.Random) -> tuple[str, list[str]]:
    """An HTML page of about ``target_bytes`` and the sentences it contains."""
    sentences: list[str] = []
    parts = ["<!doctype html><html><head><title>Bench</title></head><body>"]
    size = 0
    while size < target_bytes:
        sentence = " ".join(rng.choice(WORDS) for _ in range(12)) + "."
        sentences.append(sentence)
        extra = f"<b>{rng.choice(WORDS)}</b> <span class='x'>{rng.choice(WORDS)}</span>"
        chunk = f"<p>{sentence} {extra}</p>\n"
        parts.append(chunk)
        size += len(chunk.encode())
    parts.append("</body></html>")
    return "".join(parts), sentences


def main() -> None:
    rng = random.Random(7)
    html, sentences = make_page(2 * 1024 * 1024, rng)
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
    print(f"page: {size:.1f} MB, {blocks:,} blocks; {len(fragments)} directives")
    print(f"parse + fold: {parsed - parse_started:.2f} s; match: {finished - parsed:.2f} s")
    missing = len(fragments) - found
    total = finished - started
    print(f"total: {total:.2f} s (target < 1 s); found {found}, missing {missing}")


if __name__ == "__main__":
    main()
