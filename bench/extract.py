"""Extraction throughput and peak memory on a generated Markdown corpus.

Run: ``python bench/extract.py [--megabytes 50] [--links 1000000]`` (``make bench`` runs it).
Prints MB/s and peak RSS of ``linkcheck extract`` in a child process, against the targets
(>= 5 MB/s, <= 400 MB).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def generate(path: Path, megabytes: int, links: int) -> None:
    """Write a Markdown file of about ``megabytes`` MB holding ``links`` links of mixed kinds."""
    target = megabytes * 1_000_000
    per_paragraph = 5
    paragraphs = max(1, links // per_paragraph)

    def paragraph(i: int, filler: str) -> str:
        return (
            f"Para {i} [one](https://h{i % 97}.example/a/{i}) and <https://auto.example/{i}>, "
            f"bare https://bare.example/{i}/x. ![img](https://img.example/{i}.png) "
            f"[ref][r{i % 100}] {filler}\n\n"
        )

    filler = "lorem ipsum " * max(0, (target // paragraphs - len(paragraph(paragraphs, ""))) // 12)
    with path.open("w", encoding="utf-8") as out:
        out.write("---\ntitle: bench\nsource_url: https://example.com/source\n---\n\n")
        for i in range(paragraphs):
            if i % 50 == 0:
                out.write(f"## Section {i}\n\n```\n[not a link](https://e.com/code{i})\n```\n\n")
            out.write(paragraph(i, filler))
        for r in range(100):
            out.write(f"[r{r}]: https://ref.example/{r}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--links", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.md"
        generate(corpus, args.megabytes, args.links)
        size = corpus.stat().st_size
        start = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "linkcheck",
                "extract",
                "--format",
                "csv",
                "-o",
                os.devnull,
                str(corpus),
            ],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode != 0:
        sys.exit(f"extract failed: {result.stderr}")
    mb = size / 1_000_000
    rss_mb = peak_kb / 1024
    print(f"corpus: {mb:.1f} MB, {args.links:,} links (+ code blocks, references)")
    print(f"wall: {elapsed:.2f} s   throughput: {mb / elapsed:.2f} MB/s   (target >= 5 MB/s)")
    print(f"peak RSS: {rss_mb:.0f} MB   (target <= 400 MB)")


if __name__ == "__main__":
    main()
