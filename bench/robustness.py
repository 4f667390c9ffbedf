"""Time and memory of the hostile inputs the fault-injection tests only check for correctness.

Run: ``python bench/robustness.py [--text-megabytes 200]`` (``make bench`` runs it). Each case
runs ``linkcheck extract`` in its own child process and prints its wall time and peak RSS:

- a plain-text file of 200 MB (read in pieces: peak RSS should stay within 100 MB of a run on a
  tiny file);
- an HTML page with 30,000 comments and 30,000 links, against BeautifulSoup's own parse of it
  (target: within 2x);
- 20,000 unclosed ``<!--`` (one pass, not one per comment);
- a "billion laughs" front matter (aliases walked once).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(*args: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``linkcheck extract ARGS`` in a child process."""
    command = [sys.executable, "-m", "linkcheck", "extract", "--format", "csv", "-o", os.devnull]
    started = time.perf_counter()
    child = subprocess.Popen([*command, *args], stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    assert child.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"extract {args} failed: {child.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


_COMPARE = """
import sys, time
from bs4 import BeautifulSoup
from linkcheck.extract.html import extract_html
text = open(sys.argv[1], encoding="utf-8").read()
def best(action):
    times = []
    for _ in range(3):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)
print(best(lambda: BeautifulSoup(text, "lxml")), best(lambda: list(extract_html(text))))
"""


def html_seconds(path: Path) -> tuple[float, float]:
    """BeautifulSoup's own parse of ``path`` and linkcheck's whole HTML extraction of it, in one
    child process (best of three each)."""
    done = subprocess.run(
        [sys.executable, "-c", _COMPARE, str(path)], capture_output=True, text=True, check=True
    )
    parse, extract = done.stdout.split()
    return float(parse), float(extract)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text-megabytes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        tiny = root / "tiny.txt"
        tiny.write_text("see https://e.test/a\n")
        base_wall, base_rss = run(str(tiny))
        print(f"baseline (a one-line file): {base_wall:.2f} s, peak RSS {base_rss:.0f} MB")

        big = root / "big.txt"
        line = "Plain prose with a link https://example.test/page/{} in it, and more words.\n"
        with big.open("w") as out:
            written, n = 0, 0
            while written < args.text_megabytes * 1_000_000:
                text = "".join(line.format(n + i) for i in range(1000))
                out.write(text)
                written += len(text)
                n += 1000
        wall, rss = run(str(big))
        print(
            f"plain text, {args.text_megabytes} MB, {n:,} URLs: {wall:.1f} s, "
            f"peak RSS {rss:.0f} MB "
            f"({rss - base_rss:+.0f} MB over the baseline; target <= +100 MB)"
        )

        page = root / "comments.html"
        page.write_text(
            "<html><body>"
            + "".join(f"<!-- c{i} --><a href='https://e.test/{i}'>x</a>" for i in range(30_000))
            + "</body></html>"
        )
        wall, rss = run(str(page))
        parse, extract = html_seconds(page)
        print(
            f"HTML, 30,000 comments and 30,000 links: BeautifulSoup's parse {parse:.2f} s, "
            f"linkcheck's extraction {extract:.2f} s ({extract / parse:.1f}x; target <= 2x); "
            f"the whole command {wall:.2f} s, peak RSS {rss:.0f} MB"
        )

        unclosed = root / "unclosed.html"
        unclosed.write_text("<html><body><a href='https://e.test/a'>a</a>" + "<!-- x " * 20_000)
        wall, rss = run(str(unclosed))
        print(f"HTML, 20,000 unclosed comments: {wall:.2f} s, peak RSS {rss:.0f} MB")

        laughs = ["---", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for level in range(1, 10):
            laughs.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
        laughs += ["---", "[body](https://e.test/body)"]
        bomb = root / "laughs.md"
        bomb.write_text("\n".join(laughs) + "\n")
        wall, rss = run(str(bomb))
        print(
            f"front matter, a billion laughs (9 x 9 aliases): {wall:.2f} s, peak RSS {rss:.0f} MB"
        )


if __name__ == "__main__":
    main()
