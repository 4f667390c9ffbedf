"""A fake Wayback Machine on 127.0.0.1 speaking the real API shapes, with injectable faults.

SPN2 (``POST /save``, ``/save/status/<job>``, ``/save/status/user``), CDX (text and JSON),
the availability API and the legacy ``GET /save/<url>``; state lives in memory.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ACCESS, SECRET = "test-access-key", "test-secret-key-do-not-print"


def wayback_timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")


def days_ago(days: float) -> str:
    return wayback_timestamp(datetime.now(UTC) - timedelta(days=days))


@dataclass
class Fault:
    """Answer ``code`` (with headers and body) to the next ``count`` requests matching."""

    method: str
    path_prefix: str
    code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    count: int = 1
    still_capture: bool = False  # 520-style: fail the request but make the capture anyway


@dataclass
class Job:
    url: str
    polls_left: int
    error: tuple[str, str] | None = None


@dataclass
class FakeWayback:
    captures: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    submit_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    job_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    pending_polls: int = 0
    index_lag: bool = False
    user: dict[str, int] = field(
        default_factory=lambda: {
            "available": 5,
            "processing": 0,
            "daily_captures": 10,
            "daily_captures_limit": 30000,
        }
    )
    submits: Counter[str] = field(default_factory=Counter)
    polls: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_capture(self, url: str, timestamp: str, status: int = 200) -> None:
        self.captures.setdefault(url, []).append((timestamp, status))

    def complete(self, job: Job) -> str:
        timestamp = wayback_timestamp()
        if not self.index_lag:
            self.add_capture(job.url, timestamp)
        return timestamp


def _handler(fake: FakeWayback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def reply(
            self,
            code: int,
            payload: Any = None,
            headers: dict[str, str] | None = None,
            body: str | None = None,
        ) -> None:
            data = (body if body is not None else json.dumps(payload)).encode()
            self.send_response(code)
            content_type = "application/json" if body is None else "text/plain"
            for name, value in {"Content-Type": content_type, **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def fault(self) -> Fault | None:
            path = urlsplit(self.path).path
            with fake.lock:
                for rule in fake.faults:
                    if (
                        rule.count > 0
                        and rule.method == self.command
                        and path.startswith(rule.path_prefix)
                    ):
                        rule.count -= 1
                        return rule
            return None

        def authorized(self) -> bool:
            if self.headers.get("Authorization") == f"LOW {ACCESS}:{SECRET}":
                return True
            self.reply(401, {"message": "You need to be logged in to use Save Page Now."})
            return False

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            fake.requests.append(("POST", self.path))
            if urlsplit(self.path).path != "/save":
                return self.reply(404, {"message": "not found"})
            if not self.authorized():
                return None
            url = form.get("url", "")
            rule = self.fault()
            with fake.lock:
                fake.submits[url] += 1
                if url in fake.submit_errors:
                    status_ext, message = fake.submit_errors[url]
                    return self.reply(
                        200, {"status": "error", "status_ext": status_ext, "message": message}
                    )
                job_id = "spn2-" + hashlib.sha1(url.encode()).hexdigest()
                job = Job(url, fake.pending_polls, fake.job_errors.get(url))
                fake.jobs[job_id] = job
                if rule is not None and rule.still_capture:
                    fake.complete(job)
            if rule is not None:
                return self.reply(
                    rule.code, headers=rule.headers, body=rule.body or "<h1>error</h1>"
                )
            return self.reply(200, {"url": url, "job_id": job_id})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            fake.requests.append(("GET", self.path))
            rule = self.fault()
            if rule is not None:
                return self.reply(
                    rule.code, headers=rule.headers, body=rule.body or "<h1>error</h1>"
                )
            if path == "/save/status/user":
                if self.authorized():
                    self.reply(200, fake.user)
                return None
            if path.startswith("/save/status/"):
                if not self.authorized():
                    return None
                job_id = path.rsplit("/", 1)[1]
                with fake.lock:
                    job = fake.jobs.get(job_id)
                    fake.polls[job_id] += 1
                    if job is None:
                        return self.reply(404, {"status": "error", "message": "job not found"})
                    if job.polls_left > 0:
                        job.polls_left -= 1
                        return self.reply(
                            200, {"status": "pending", "job_id": job_id, "resources": []}
                        )
                    if job.error is not None:
                        status_ext, message = job.error
                        return self.reply(
                            200,
                            {
                                "status": "error",
                                "status_ext": status_ext,
                                "message": message,
                                "exception": "",
                                "job_id": job_id,
                                "resources": [],
                            },
                        )
                    timestamp = fake.complete(job)
                return self.reply(
                    200,
                    {
                        "status": "success",
                        "job_id": job_id,
                        "original_url": job.url,
                        "timestamp": timestamp,
                        "duration_sec": 1.5,
                        "resources": [],
                        "outlinks": [],
                        "http_status": 200,
                    },
                )
            if path == "/cdx/search/cdx":
                return self.cdx(query)
            if path == "/wayback/available":
                url = query.get("url", [""])[0]
                rows = [r for r in fake.captures.get(url, []) if r[1] == 200]
                if not rows:
                    return self.reply(200, {"url": url, "archived_snapshots": {}})
                timestamp = max(rows)[0]
                closest = {
                    "available": True,
                    "status": "200",
                    "timestamp": timestamp,
                    "url": f"http://web.archive.org/web/{timestamp}/{url}",
                }
                return self.reply(200, {"url": url, "archived_snapshots": {"closest": closest}})
            if path.startswith("/save/"):  # the legacy anonymous save path
                url = self.path[len("/save/") :]
                timestamp = wayback_timestamp()
                memento = f"https://web.archive.org/web/{timestamp}/{url}"
                link = (
                    f'<{url}>; rel="original", <{memento}>; rel="memento", '
                    f'<{memento}>; rel="last memento"'
                )
                return self.reply(
                    200, {}, headers={"Link": link, "Content-Location": f"/web/{timestamp}/{url}"}
                )
            return self.reply(404, {"message": "not found"})

        def cdx(self, query: dict[str, list[str]]) -> None:
            url = query.get("url", [""])[0]
            rows = sorted(fake.captures.get(url, []))
            for spec in query.get("filter", []):
                negate = spec.startswith("!")
                name, _, pattern = spec.lstrip("!").partition(":")
                if name == "statuscode":
                    rows = [r for r in rows if bool(re.fullmatch(pattern, str(r[1]))) != negate]
            limit = int(query.get("limit", ["25000"])[0])
            rows = rows[limit:] if limit < 0 else rows[:limit]
            host = urlsplit(url).hostname or "x"
            key = ",".join(reversed(host.split("."))) + ")" + (urlsplit(url).path or "/")
            lines = [
                [key, ts, url, "text/html", str(code), "Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY", "1415"]
                for ts, code in rows
            ]
            if query.get("output", [""])[0] == "json":
                header = [
                    "urlkey",
                    "timestamp",
                    "original",
                    "mimetype",
                    "statuscode",
                    "digest",
                    "length",
                ]
                return self.reply(200, [header, *lines] if lines else [])
            text = "".join(" ".join(line) + "\n" for line in lines)
            return self.reply(200, body=text)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def serve_wayback(fake: FakeWayback) -> Iterator[str]:
    """Run the fake on 127.0.0.1 (port chosen by the OS); yields its base URL."""
    server = _Server(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
