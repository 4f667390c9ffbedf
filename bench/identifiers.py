"""Checking DOIs at their registries' documented limits, against the schedule bound, and a warm
rerun that must send nothing.

2,000 DOI citations from 200 prefixes (10% of them DataCite's, the rest Crossref's) in one
Markdown document, each linked under its registered title, checked against the fake registries
of the test suite (tests/fakeregistries.py) enforcing the documented limits: Crossref's polite
pool (10 requests a second, 3 at once; 429 beyond), DataCite's 1,000 requests in five minutes
with an address. Every registry works at once, so no run can end before the busiest registry's
requests ÷ its allowed rate: the **schedule bound** (doi.org has no published limit; linkcheck
spaces its requests 40 ms apart, as Citation bot does, and that pace is its bound).

lychee is not in this one: it has no notion of a DOI's registry (it would follow doi.org to
each publisher, the thing this check exists not to do).

    python bench/identifiers.py [--dois 2000] [--prefixes 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakeregistries import FakeRegistries, RegisteredWork, serve_registries

from linkcheck.registries import crossref, datacite, runner

WORDS = (
    "quantum", "neural", "protein", "climate", "graph", "market", "cell", "signal", "ocean",
    "theory", "model", "learning", "dynamics", "network", "energy", "data",
)  # fmt: skip


def corpus(state: FakeRegistries, dois: int, prefixes: int) -> str:
    lines = ["# References", ""]
    for n in range(dois):
        prefix = f"10.{5000 + n % prefixes}"
        agency = "datacite" if n % prefixes < prefixes // 10 else "crossref"
        title = " ".join(WORDS[(n * k + k) % len(WORDS)] for k in range(1, 6)).title() + f" {n}"
        work = state.add(RegisteredWork(f"{prefix}/bench.{n}", agency, title, 2000 + n % 25))
        lines.append(f"- [{title}](https://doi.org/{work.doi})")
    return "\n".join(lines) + "\n"


def run(folder: Path, state: FakeRegistries, options: list[str]) -> tuple[float, Counter[str], str]:
    before = len(state.requests)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "linkcheck", "check", "refs.md", "--format", "json",
         "--cache-file", "cache.db", "--mailto", "bench@example.org", *options],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.monotonic() - started
    sent = Counter(service for service, _, _ in state.requests[before:])
    summary = done.stdout[done.stdout.find('"summary"') :].split("\n", 1)[0]
    return wall, sent, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dois", type=int, default=2000)
    parser.add_argument("--prefixes", type=int, default=200)
    args = parser.parse_args()
    state = FakeRegistries()
    with tempfile.TemporaryDirectory() as scratch, serve_registries(state) as endpoints:
        folder = Path(scratch)
        (folder / "refs.md").write_text(corpus(state, args.dois, args.prefixes))
        options = ["--canary", endpoints.doi, *endpoints.options()]
        wall, sent, summary = run(folder, state, options)
        doi_rate, _ = runner.DOI_ORG
        crossref_rate, _ = crossref.POLITE_POOL
        datacite_rate = datacite.IDENTIFIED_RATE
        bounds = {
            "doi": sent["doi"] / doi_rate,
            "crossref": sent["crossref"] / crossref_rate,
            "datacite": sent["datacite"] / datacite_rate,
        }
        bound = max(bounds.values())
        print(f"{args.dois} DOIs, {args.prefixes} prefixes; {summary}")
        print("requests: " + ", ".join(f"{name} {sent[name]}" for name in bounds)
              + f"; 429s answered: {sum(state.rate_limited.values())}")  # fmt: skip
        print("schedule bound: " + ", ".join(f"{n} {b:.1f} s" for n, b in bounds.items())
              + f" -> {bound:.1f} s")  # fmt: skip
        print(f"cold run: {wall:.1f} s = {wall / bound:.3f} x the schedule bound")
        warm, again, _ = run(folder, state, options)
        print(f"warm rerun: {warm:.2f} s, requests sent: {sum(again.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
