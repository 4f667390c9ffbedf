"""Fake scholarly registries on 127.0.0.1 speaking the real answer shapes: doi.org (plain
resolution without redirects followed, "Which RA?"), Crossref's works API (pools and their
rate-limit headers, 429 past them), DataCite's JSON:API (one DOI or ``ids=`` many) and the arXiv
API (Atom; entries out of order, a missing id absent, a malformed one an error entry).

The shapes follow ../shared/docs/scholarly-identifiers.md and the answers recorded from the
live services (tests/test_registries_unit.py reads those recordings, when present, through
the same parsers). Nothing here reaches beyond 127.0.0.0/8.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

AGENCY_LABELS = {"crossref": "Crossref", "datacite": "DataCite", "medra": "mEDRA"}
NOT_FOUND_PAGE = (
    '<!DOCTYPE html>\n<html lang="en-us">\n<head>\n<title>Error: DOI Not Found</title>\n'
    "</head><body><h1>DOI Not Found</h1><p>{doi}</p><p>This DOI cannot be found in the DOI "
    "System.</p></body></html>"
)
NOT_A_DOI_PAGE = (
    '<!DOCTYPE html>\n<html lang="en-us">\n<head>\n<title>Error: Not a DOI</title>\n'
    "</head><body><h1>Not a DOI</h1></body></html>"
)
HANDLE_REDIRECT = (
    '<html><head><title>Handle Redirect</title></head>\n<body><a href="{url}">{url}</a>'
    "</body></html>"
)
TOO_MANY = (
    "<html><body><h1>429 Too Many Requests</h1>You have sent too many requests in a given "
    "amount of time.</body></html>"
)


@dataclass
class RegisteredWork:
    """A DOI as the registries hold it."""

    doi: str
    agency: str  # crossref, datacite, medra
    title: str
    year: int
    url: str = "https://publisher.example/article"
    subtitle: str = ""
    updated_by: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Paper:
    """An arXiv paper."""

    id: str  # without version
    title: str
    versions: int = 1
    year: int = 2021
    comment: str = ""


@dataclass
class Fault:
    """Answer ``code`` to the next ``count`` requests to ``service`` whose path starts so."""

    service: str
    path_prefix: str
    code: int
    count: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass
class FakeRegistries:
    """The registries' state: works, papers, faults, limits and every request seen."""

    works: dict[str, RegisteredWork] = field(default_factory=dict)
    papers: dict[str, Paper] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    # DOIs doi.org answers 404 to the first time only (its index lagging a new DOI).
    lagging: set[str] = field(default_factory=set)
    # Crossref's pools: (requests per second, at once), as announced from December 2025.
    public_pool: tuple[int, int] = (5, 1)
    polite_pool: tuple[int, int] = (10, 3)
    datacite_per_5_minutes: tuple[int, int] = (500, 1000)  # anonymous, with an e-mail address
    arxiv_interval: float = 3.0  # arXiv's terms: one request every three seconds
    requests: list[tuple[str, float, str]] = field(default_factory=list)  # service, time, path
    rate_limited: Counter[str] = field(default_factory=Counter)  # 429s sent, by service
    lock: threading.Lock = field(default_factory=threading.Lock)
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _active: Counter[str] = field(default_factory=Counter)

    def add(self, work: RegisteredWork) -> RegisteredWork:
        self.works[work.doi.lower()] = work
        return work

    def add_paper(self, paper: Paper) -> Paper:
        self.papers[paper.id] = paper
        return paper

    def count(self, service: str) -> int:
        with self.lock:
            return sum(1 for seen, _, _ in self.requests if seen == service)

    def fault(self, service: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.service == service and path.startswith(fault.path_prefix) and fault.count:
                    fault.count -= 1
                    return fault
        return None

    def over_limit(self, pool: str, limit: int, window: float, at_once: int) -> bool:
        """Record a request to ``pool``; is it over ``limit`` in ``window`` seconds, or over
        ``at_once`` in flight?"""
        now = time.monotonic()
        with self.lock:
            recent = self._recent.setdefault(pool, deque())
            while recent and recent[0] <= now - window:
                recent.popleft()
            recent.append(now)
            return len(recent) > limit or self._active[pool] > at_once


def _handler(state: FakeRegistries, service: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def send(self, code: int, body: str, content_type: str, **headers: str) -> None:
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            with state.lock:
                state.requests.append((service, time.monotonic(), self.path))
            fault = state.fault(service, path)
            if fault is not None:
                self.send(fault.code, fault.body, "text/plain", **fault.headers)
                return
            getattr(self, f"answer_{service}")(path, query)

        def answer_doi(self, path: str, query: dict[str, list[str]]) -> None:
            if path.startswith("/ra/"):
                answers = []
                for name in unquote(path[4:]).split(","):
                    prefix = name.split("/", 1)[0].lower()
                    agencies = {
                        w.agency
                        for w in state.works.values()
                        if w.doi.lower().startswith(prefix + "/")
                    }
                    if "/" in name and name.lower() not in state.works:
                        answers.append({"DOI": name, "status": "DOI does not exist"})
                    elif agencies:
                        answers.append({"DOI": name, "RA": AGENCY_LABELS[agencies.pop()]})
                    else:
                        answers.append({"DOI": name, "status": "DOI does not exist"})
                self.send(200, json.dumps(answers, indent=2), "application/json;charset=UTF-8")
                return
            doi = unquote(path[1:])
            if not doi.startswith("10."):
                self.send(400, NOT_A_DOI_PAGE, "text/html;charset=utf-8")
                return
            work = state.works.get(doi.lower())
            if work is not None and doi.lower() in state.lagging:
                state.lagging.discard(doi.lower())
                work = None
            if work is None:
                self.send(404, NOT_FOUND_PAGE.format(doi=escape(doi)), "text/html;charset=utf-8")
                return
            page = HANDLE_REDIRECT.format(url=escape(work.url))
            self.send(302, page, "text/html;charset=utf-8", Location=work.url)

        def answer_crossref(self, path: str, query: dict[str, list[str]]) -> None:
            polite = "mailto" in query or "mailto:" in self.headers.get("User-Agent", "")
            pool = "polite-single" if polite else "public"
            limit, at_once = state.polite_pool if polite else state.public_pool
            headers = {
                "x_api_pool": pool,
                "x_rate_limit_limit": str(limit),
                "x_rate_limit_interval": "1s",
                "x_concurrency_limit": str(at_once),
            }
            with state.lock:
                state._active[pool] += 1
            try:
                if state.over_limit(pool, limit, 1.0, at_once):
                    with state.lock:
                        state.rate_limited["crossref"] += 1
                    self.send(429, TOO_MANY, "text/html", **headers)
                    return
                time.sleep(0.002)  # a request takes a moment: concurrency is seen
                doi = unquote(path.removeprefix("/works/"))
                work = state.works.get(doi.lower())
                if not path.startswith("/works/") or work is None or work.agency != "crossref":
                    self.send(404, "Resource not found.", "text/plain", **headers)
                    return
                body = {"status": "ok", "message-type": "work", "message-version": "1.0.0",
                        "message": crossref_message(work)}  # fmt: skip
                self.send(200, json.dumps(body), "application/json", **headers)
            finally:
                with state.lock:
                    state._active[pool] -= 1

        def answer_datacite(self, path: str, query: dict[str, list[str]]) -> None:
            identified = "mailto" in query or "mailto:" in self.headers.get("User-Agent", "")
            limit = state.datacite_per_5_minutes[1 if identified else 0]
            if state.over_limit("datacite", limit, 300.0, 1000):
                self.send(429, "Too Many Requests", "text/plain")
                return
            if path == "/dois":
                dois = [d.strip().lower() for d in query.get("ids", [""])[0].split(",") if d]
                found = [
                    state.works[d]
                    for d in dois
                    if d in state.works and state.works[d].agency == "datacite"
                ]
                body = {"data": [datacite_record(w) for w in found],
                        "meta": {"total": len(found)}, "links": {}}  # fmt: skip
                self.send(200, json.dumps(body), "application/vnd.api+json; charset=utf-8")
                return
            doi = unquote(path.removeprefix("/dois/")).lower()
            work = state.works.get(doi)
            if work is None or work.agency != "datacite":
                missing = "The resource you are looking for doesn't exist."
                error = {"errors": [{"status": "404", "title": missing}]}
                self.send(404, json.dumps(error), "application/vnd.api+json; charset=utf-8")
                return
            body = {"data": datacite_record(work)}
            self.send(200, json.dumps(body), "application/vnd.api+json; charset=utf-8")

        def answer_arxiv(self, path: str, query: dict[str, list[str]]) -> None:
            with state.lock:
                times = [t for s, t, _ in state.requests if s == "arxiv"]
            if len(times) > 1 and times[-1] - times[-2] < state.arxiv_interval * 0.95:
                with state.lock:
                    state.rate_limited["arxiv"] += 1
                self.send(503, "Rate exceeded.", "text/plain")
                return
            ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
            self.send(*arxiv_feed(state, ids))

    return Handler


def crossref_message(work: RegisteredWork) -> dict[str, Any]:
    return {
        "DOI": work.doi.lower(),
        "type": "journal-article",
        "title": [work.title],
        "subtitle": [work.subtitle] if work.subtitle else [],
        "original-title": [],
        "short-title": [],
        "issued": {"date-parts": [[work.year, 3, 21]]},
        "updated-by": work.updated_by,
        "relation": {},
        "URL": f"https://doi.org/{work.doi.lower()}",
    }


def datacite_record(work: RegisteredWork) -> dict[str, Any]:
    doi = work.doi.lower()
    prefix, _, suffix = doi.partition("/")
    return {
        "id": doi,
        "type": "dois",
        "attributes": {
            "doi": doi,
            "prefix": prefix,
            "suffix": suffix,
            "titles": [{"title": work.title}],
            "publicationYear": work.year,
            "state": "findable",
            "url": work.url,
            "types": {"resourceTypeGeneral": "Dataset"},
        },
        "relationships": {},
    }


def arxiv_feed(state: FakeRegistries, ids: list[str]) -> tuple[int, str, str]:
    """(status, body, content type) of the API's answer to ``id_list``."""
    entries, status = [], 200
    for cited in reversed(ids):  # the API answers in its own order, not the list's
        base = (
            cited.rsplit("v", 1)[0]
            if cited.rsplit("v", 1)[-1].isdigit() and "v" in cited
            else cited
        )
        if not (base[:4].isdigit() or "/" in base):
            status = 400
            entries.append(
                f"<entry><id>https://arxiv.org/api/errors#incorrect_id_format_for_{escape(cited)}"
                f"</id><title>Error</title><summary>incorrect id format for {escape(cited)}"
                "</summary></entry>"
            )
            continue
        paper = state.papers.get(base)
        if paper is None:
            continue
        comment = f"<arxiv:comment>{escape(paper.comment)}</arxiv:comment>" if paper.comment else ""
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{paper.id}v{paper.versions}</id>"
            f"<updated>{paper.year}-02-01T00:00:00Z</updated>"
            f"<published>{paper.year}-01-01T00:00:00Z</published>"
            f"<title>{escape(paper.title)}</title><summary>An abstract.</summary>"
            f"<author><name>A. Author</name></author>{comment}"
            f'<link href="https://arxiv.org/abs/{paper.id}v{paper.versions}" rel="alternate" '
            'type="text/html"/></entry>'
        )
    body = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        f"<id>https://arxiv.org/api/{quote(','.join(ids))}</id><title>arXiv Query</title>"
        f"<opensearch:totalResults>{len(entries)}</opensearch:totalResults>"
        f"{''.join(entries)}</feed>"
    )
    return status, body, "application/atom+xml; charset=UTF-8"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


@dataclass(frozen=True)
class Endpoints:
    """Where each fake registry listens: the options that point linkcheck at them."""

    doi: str
    crossref: str
    datacite: str
    arxiv: str

    def options(self) -> list[str]:
        return [
            "--doi-url", self.doi, "--crossref-url", self.crossref,
            "--datacite-url", self.datacite, "--arxiv-url", self.arxiv,
        ]  # fmt: skip


@contextmanager
def serve_registries(state: FakeRegistries) -> Iterator[Endpoints]:
    """Run the four registries on 127.0.0.1 (ports chosen by the OS) until the block ends."""
    with ExitStack() as stack:
        bases = {}
        for service in ("doi", "crossref", "datacite", "arxiv"):
            server = _Server(("127.0.0.1", 0), _handler(state, service))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
            bases[service] = f"http://127.0.0.1:{server.server_address[1]}"
        yield Endpoints(
            bases["doi"], bases["crossref"], bases["datacite"], bases["arxiv"] + "/api/query"
        )
