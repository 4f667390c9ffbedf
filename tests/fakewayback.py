"""A fake Wayback Machine on 127.0.0.1 speaking the real API shapes, with injectable faults,
and a second web archive behind a Memento TimeMap aggregator.

SPN2 (``POST /save``, ``/save/status/<job>``, ``/save/status/user``), CDX (text and JSON,
``closest``/``sort=closest``), the availability API, replay (``/web/<ts>[id_]/<url>``, 302 to
the nearest capture), the TimeMap and the legacy ``GET /save/<url>``; state lives in memory.
A capture made through SPN2 stores what the live (loopback) page served at that moment.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
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


def http_date(timestamp: str) -> str:
    moment = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


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
    content_type: str = "text/plain"


@dataclass
class Capture:
    """One capture: what the page answered when it was archived."""

    timestamp: str
    status: int = 200
    body: bytes | None = None  # None: a plain page naming the URL
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)  # the page's own (X-Archive-Orig-)
    redirect_to: str | None = None  # a capture of a redirect (3xx) to this URL
    replay_as: str | None = None  # replay sends this URL's capture instead (a different page)
    visible_at: float = 0.0  # index lag: not in CDX, replay or TimeMap before this time


@dataclass
class Job:
    url: str
    polls_left: int
    error: tuple[str, str] | None = None
    timestamp: str | None = None  # set when the capture is made
    original_url: str | None = None
    created: float = field(default_factory=time.time)


@dataclass
class FakeWayback:
    captures: dict[str, list[Capture]] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    submit_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    job_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Errors a job of the URL ends with, one per submission, before a submission succeeds.
    job_error_queue: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # POST /save answers user-session-limit, and /save/status/user available 0, this many times.
    session_busy: int = 0
    faults: list[Fault] = field(default_factory=list)
    pending_polls: int = 0
    index_lag: bool = False  # captures never reach the index
    lag_seconds: float = 0.0  # captures reach the index (and replay) this long after success
    dedupe_seconds: float = 3600.0  # a second POST of a URL within this returns the same job
    user: dict[str, int] = field(
        default_factory=lambda: {
            "available": 5,
            "processing": 0,
            "daily_captures": 10,
            "daily_captures_limit": 30000,
        }
    )
    submits: Counter[str] = field(default_factory=Counter)  # POST /save, by URL
    saves: Counter[str] = field(default_factory=Counter)  # captures made, by URL
    polls: Counter[str] = field(default_factory=Counter)
    replays: Counter[str] = field(default_factory=Counter)  # /web/ fetches, by path
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_capture(self, url: str, timestamp: str, status: int = 200, **more: Any) -> Capture:
        capture = Capture(timestamp, status, **more)
        self.captures.setdefault(url, []).append(capture)
        return capture

    def visible(self, url: str) -> list[Capture]:
        now = time.time()
        return sorted(
            (c for c in self.captures.get(url, []) if c.visible_at <= now),
            key=lambda c: c.timestamp,
        )

    def complete(self, job: Job) -> str:
        """Make the capture (once per job): what the live page answers now."""
        if job.timestamp is not None:
            return job.timestamp
        job.timestamp = wayback_timestamp()
        self.saves[job.url] += 1
        original, capture = _capture_live(job.url, job.timestamp)
        job.original_url = original
        capture.visible_at = time.time() + self.lag_seconds
        if not self.index_lag:
            self.captures.setdefault(original, []).append(capture)
            if original != job.url:  # the redirect itself is captured too
                redirect = Capture(job.timestamp, 302, redirect_to=original)
                redirect.visible_at = capture.visible_at
                self.captures.setdefault(job.url, []).append(redirect)
        return job.timestamp


def _capture_live(url: str, timestamp: str) -> tuple[str, Capture]:
    """What the live page (on loopback) answers, redirects followed: (final URL, capture)."""
    assert url.startswith(("http://127.", "https://127.")), url  # never beyond loopback
    request = urllib.request.Request(url, headers={"User-Agent": "fake-wayback"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read(2_000_000)
            return response.geturl(), Capture(
                timestamp, response.status, body, response.headers.get("Content-Type", "")
            )
    except urllib.error.HTTPError as error:
        body = error.read(2_000_000)
        headers = {
            k: v for k, v in error.headers.items() if k.lower().startswith(("cf-", "server"))
        }
        content_type = error.headers.get("Content-Type", "")
        return url, Capture(timestamp, error.code, body, content_type, headers)
    except OSError:
        return url, Capture(timestamp, 502, b"unreachable", "text/plain")


def _age(timestamp: str) -> float:
    moment = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return (datetime.now(UTC) - moment).total_seconds()


def _default_body(url: str) -> bytes:
    return (
        f"<!doctype html><html><head><title>Archived page</title></head><body>"
        f"<h1 id='top'>Hello</h1><p>An archived copy of {url}. Some text here.</p>"
        f"</body></html>"
    ).encode()


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
            if headers and "Content-Type" in headers:
                content_type = headers.pop("Content-Type")
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
                if fake.session_busy > 0:
                    fake.session_busy -= 1
                    return self.reply(
                        200,
                        {
                            "status": "error",
                            "status_ext": "error:user-session-limit",
                            "message": "You have already reached the limit of active Save Page"
                            " Now sessions.",
                        },
                    )
                job_id = "spn2-" + hashlib.sha1(url.encode()).hexdigest()
                old = fake.jobs.get(job_id)
                if (
                    old is not None
                    and old.error is None
                    and time.time() - old.created < fake.dedupe_seconds
                ):
                    minutes = int((time.time() - old.created) // 60)
                    message = (
                        f"The same snapshot had been made {minutes} minutes ago. You can make new"
                        " capture of this URL after 1 hour."
                    )
                    if rule is None:
                        return self.reply(200, {"url": url, "job_id": job_id, "message": message})
                else:
                    queued = fake.job_error_queue.get(url)
                    error = queued.pop(0) if queued else fake.job_errors.get(url)
                    job = Job(url, fake.pending_polls, error)
                    within = float(form.get("if_not_archived_within") or 0)
                    recent = [
                        c
                        for c in fake.visible(url)
                        if c.status == 200 and _age(c.timestamp) <= within
                    ]
                    if recent and error is None:  # SPN2 answers with the recent capture
                        job.timestamp, job.original_url = recent[-1].timestamp, url
                    fake.jobs[job_id] = job
                    if rule is not None and rule.still_capture:
                        fake.complete(job)
            if rule is not None:
                headers = {**rule.headers, "Content-Type": rule.content_type}
                return self.reply(rule.code, headers=headers, body=rule.body or "<h1>error</h1>")
            return self.reply(200, {"url": url, "job_id": job_id})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            fake.requests.append(("GET", self.path))
            rule = self.fault()
            if rule is not None:
                headers = {**rule.headers, "Content-Type": rule.content_type}
                return self.reply(rule.code, headers=headers, body=rule.body or "<h1>error</h1>")
            if path == "/save/status/user":
                if self.authorized():
                    with fake.lock:
                        user = dict(fake.user)
                        if fake.session_busy > 0:
                            fake.session_busy -= 1
                            user["available"] = 0
                    self.reply(200, user)
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
                    if job.polls_left > 0 and job.timestamp is None:
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
                        "original_url": job.original_url or job.url,
                        "timestamp": timestamp,
                        "duration_sec": 1.5,
                        "resources": [],
                        "outlinks": [],
                        "http_status": 200,
                    },
                )
            if path == "/cdx/search/cdx":
                return self.cdx(query)
            if path.startswith("/web/timemap/link/"):
                return self.timemap(self.path[len("/web/timemap/link/") :])
            if path.startswith("/web/"):
                return self.replay(self.path[len("/web/") :])
            if path == "/wayback/available":
                url = query.get("url", [""])[0]
                rows = [c for c in fake.visible(url) if c.status == 200]
                if not rows:
                    return self.reply(200, {"url": url, "archived_snapshots": {}})
                timestamp = rows[-1].timestamp
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

        def replay(self, rest: str) -> None:
            """``/web/<ts>[id_]/<url>``: the exact capture, else a 302 to the nearest one."""
            match = re.match(r"(\d{1,14})(id_)?/(.+)$", rest, re.DOTALL)
            if match is None:
                return self.reply(404, body="<title>Wayback Machine</title>not archived")
            wanted, modifier, url = match.group(1), match.group(2) or "", match.group(3)
            with fake.lock:
                fake.replays[f"{wanted}/{url}"] += 1
                captures = fake.visible(url)
            if not captures:
                return self.reply(
                    404,
                    headers={"Content-Type": "text/html"},
                    body="<title>Wayback Machine</title><p>Hrm. The Wayback Machine has not"
                    " archived that URL.</p>",
                )
            target = wanted.ljust(14, "0")
            nearest = min(captures, key=lambda c: abs(int(c.timestamp) - int(target)))
            if nearest.timestamp != wanted or nearest.replay_as is not None:
                shown = nearest.replay_as or url
                location = f"/web/{nearest.timestamp}{modifier}/{shown}"
                return self.reply(302, headers={"Location": location}, body="")
            headers = {
                "Memento-Datetime": http_date(nearest.timestamp),
                "Link": f'<{url}>; rel="original"',
                "Content-Type": nearest.content_type,
                **{f"X-Archive-Orig-{k}": v for k, v in nearest.headers.items()},
            }
            if nearest.redirect_to is not None:
                headers["Location"] = f"/web/{nearest.timestamp}{modifier}/{nearest.redirect_to}"
            body = nearest.body if nearest.body is not None else _default_body(url)
            self.send_response(nearest.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

        def timemap(self, url: str) -> None:
            captures = fake.visible(url)
            if not captures:
                return self.reply(404, body="")
            host = f"http://{self.headers.get('Host')}"
            links = [f'<{url}>; rel="original"']
            for c in captures:
                when = http_date(c.timestamp)
                links.append(f'<{host}/web/{c.timestamp}/{url}>; rel="memento"; datetime="{when}"')
            return self.reply(
                200,
                headers={"Content-Type": "application/link-format"},
                body=",\n".join(links) + "\n",
            )

        def cdx(self, query: dict[str, list[str]]) -> None:
            url = query.get("url", [""])[0]
            rows = [(c.timestamp, c.status) for c in fake.visible(url)]
            for spec in query.get("filter", []):
                negate = spec.startswith("!")
                name, _, pattern = spec.lstrip("!").partition(":")
                if name == "statuscode":
                    rows = [r for r in rows if bool(re.fullmatch(pattern, str(r[1]))) != negate]
            if query.get("sort", [""])[0] == "closest" and query.get("closest"):
                target = int(query["closest"][0].ljust(14, "0"))
                rows.sort(key=lambda r: abs(int(r[0]) - target))
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


@dataclass
class FakeArchive:
    """A second web archive (archive.today-like: its own memento URLs, no index API) and a
    Memento aggregator listing its copies and the fake Wayback Machine's in one TimeMap."""

    wayback: FakeWayback | None = None
    wayback_base: str = ""
    mementos: dict[str, list[Capture]] = field(default_factory=dict)
    timemaps: Counter[str] = field(default_factory=Counter)
    fetches: Counter[str] = field(default_factory=Counter)

    def add(self, url: str, timestamp: str, status: int = 200, **more: Any) -> Capture:
        capture = Capture(timestamp, status, **more)
        self.mementos.setdefault(url, []).append(capture)
        return capture


def _archive_handler(archive: FakeArchive) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def answer(self, code: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            base = f"http://{self.headers.get('Host')}"
            if self.path.startswith("/timemap/link/"):
                url = self.path[len("/timemap/link/") :]
                archive.timemaps[url] += 1
                links = [f'<{url}>; rel="original"']
                for capture in archive.mementos.get(url, []):
                    memento = f"{base}/m/{capture.timestamp}/{url}"
                    links.append(
                        f'<{memento}>; rel="memento"; datetime="{http_date(capture.timestamp)}"'
                    )
                if archive.wayback is not None:
                    for capture in archive.wayback.visible(url):
                        memento = f"{archive.wayback_base}/web/{capture.timestamp}/{url}"
                        links.append(
                            f'<{memento}>; rel="memento"; datetime="{http_date(capture.timestamp)}"'
                        )
                if len(links) == 1:
                    return self.answer(404, b"", {})
                body = (",\n".join(links) + "\n").encode()
                return self.answer(200, body, {"Content-Type": "application/link-format"})
            match = re.match(r"/m/(\d{14})/(.+)$", self.path, re.DOTALL)
            if match is None:
                return self.answer(404, b"not here", {"Content-Type": "text/plain"})
            timestamp, url = match.groups()
            archive.fetches[url] += 1
            capture = next(
                (c for c in archive.mementos.get(url, []) if c.timestamp == timestamp), None
            )
            if capture is None:
                return self.answer(404, b"no such memento", {"Content-Type": "text/plain"})
            body = capture.body if capture.body is not None else _default_body(url)
            headers = {
                "Content-Type": capture.content_type,
                "Memento-Datetime": http_date(timestamp),
                "Link": f'<{url}>; rel="original"',
            }
            return self.answer(capture.status, body, headers)

    return Handler


def serve_archive(archive: FakeArchive, host: str = "127.0.0.2") -> AbstractContextManager[str]:
    """Run the second archive and aggregator on ``host`` (loopback); yields its base URL."""
    return _serve(_archive_handler(archive), host)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def serve_wayback(fake: FakeWayback) -> AbstractContextManager[str]:
    """Run the fake on 127.0.0.1 (port chosen by the OS); yields its base URL."""
    return _serve(_handler(fake), "127.0.0.1")


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler], host: str) -> Iterator[str]:
    server = _Server((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
