"""Content drift: a page's main text fingerprinted in the cache, and `changed` when it is
mostly not what was first seen there (unit tests, then the real CLI against a fake web)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeweb import FakeWeb, Host, serve

from helpers import run_linkcheck
from linkcheck.check.fingerprint import drift, sketch_of, sketch_of_text

TEXT = (
    "border crossings fell to their lowest level in decades while the agency reported that "
    "removal flights doubled and the court upheld the new policy after a long hearing in which "
    "officials described the program in detail and critics questioned its cost and its effect"
)
OTHER_TEXT = (
    "the museum opened a new wing dedicated to early photography with prints lent by private "
    "collectors and a gallery of cameras from the nineteenth century that visitors may handle "
    "under the supervision of curators who explain how each one worked and what it cost then"
)
WORDS = TEXT.split()
OTHER = OTHER_TEXT.split()


def page(words: list[str], seed: int) -> bytes:
    rng = random.Random(seed)
    nav = " ".join(rng.sample(["Home", "World", "Sport", "Tech", "Arts", "Video"], 4))
    chunks, at = [], 0
    while at < len(words):
        size = rng.randint(5, 15)
        chunks.append("<p>" + " ".join(words[at : at + size]) + "</p>")
        at += size
    return (
        f"<html><body><nav>{nav}</nav><div class='ad-banner'>buy {rng.random()} now</div>"
        f"<p class=byline>{rng.randint(1, 28)} May 2026 · {rng.randint(1, 9999)} views</p>"
        + "".join(chunks)
        + f"<footer>© {rng.randint(2020, 2026)}</footer><script>x={rng.random()}</script>"
        "</body></html>"
    ).encode()


def test_a_re_rendered_page_keeps_its_fingerprint_and_another_text_does_not() -> None:
    first = sketch_of(page(WORDS * 3, 1))
    assert first is not None and len(first) <= 512
    assert drift(first, sketch_of(page(WORDS * 3, 2)) or b"") == 0.0  # boilerplate only
    assert drift(first, sketch_of(page(OTHER * 3, 3)) or b"") > 95  # the byline is shared
    half = sketch_of(page(WORDS[:20] + OTHER[:25], 4))
    assert half is not None and 30 < drift(first, half) < 100
    assert sketch_of_text("too few words here") is None
    assert sketch_of(b"<html><body><nav>only navigation and nothing else at all</nav>") is None


@pytest.fixture
def site() -> Iterator[tuple[FakeWeb, Host]]:
    web = FakeWeb()
    with serve(web) as host:
        yield web, host


def check(folder: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run_linkcheck(
        "check", "doc.md", "--format", "json", "--max-age", "0s", "--retries", "0", *args,
        cwd=folder,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    (result,) = json.loads(done.stdout)["results"]
    return done.returncode, result


def test_a_recycled_url_is_changed_and_a_re_rendered_one_is_not(
    tmp_path: Path, site: tuple[FakeWeb, Host]
) -> None:
    web, host = site
    (tmp_path / "doc.md").write_text(f"[report]({host.url('/article')})\n")
    web.pages["/article"] = (200, {}, page(WORDS * 3, 1))
    code, first = check(tmp_path)
    assert (code, first["status"], first["drift"]) == (0, "ok", 0.0)

    web.pages["/article"] = (200, {}, page(WORDS * 3, 2))  # new ads, date, counters, breaks
    code, again = check(tmp_path)
    assert (again["status"], again["drift"]) == ("ok", 0.0)

    web.pages["/article"] = (200, {}, page(OTHER * 3, 3))  # another text behind the same URL
    code, changed = check(tmp_path)
    assert (code, changed["status"]) == (0, "changed") and changed["drift"] > 95
    assert changed["reason"].startswith(
        f"the page's text is {changed['drift']:.0f}% different from when linkcheck first saw it"
        " on 20"
    )
    code, _ = check(tmp_path, "--fail-on", "changed")
    assert code == 1
    code, high = check(tmp_path, "--drift-threshold", "99.5")
    assert high["status"] == "ok"  # below a threshold set higher
    code, off = check(tmp_path, "--no-drift")
    assert (off["status"], off["drift"]) == ("ok", None)
    code, uncached = check(tmp_path, "--no-cache")
    assert (uncached["status"], uncached["drift"]) == ("ok", None)  # no history to compare
