"""A fake web on loopback addresses, with the behaviours the checker must judge.

Started inside the test run on ports the OS chooses; nothing here reaches beyond 127.0.0.0/8.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import brotli
import zstandard

PAGE = (
    b"<!doctype html><html><head><title>A page</title></head>"
    b"<body><h1 id='top'>Hello</h1><p>Some text here.</p></body></html>"
)
QUOTED_PAGE = (
    b"<!doctype html><html><head><title>Quoted</title></head>"
    b"<body><p>The quick brown fox jumps over the lazy dog.</p></body></html>"
)
NOT_FOUND_PAGE = (
    b"<!doctype html><html><head><title>Page Not Found</title></head><body>Sorry</body></html>"
)


@dataclass
class FakeWeb:
    """Shared state of the fake web: request counts per path and extra pages."""

    hits: Counter[str] = field(default_factory=Counter)
    pages: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    gzip_bomb: bytes = b""
    connections: set[tuple[str, int]] = field(default_factory=set)
    # A site that answers every unknown path with a 200 page of this title (a soft-404 site).
    soft_404_title: str | None = None
    # Authorization headers received, by path.
    authorizations: dict[str, list[str | None]] = field(default_factory=dict)
    # When each request arrived (time.monotonic()), and its path: the server's log.
    arrivals: list[tuple[float, str]] = field(default_factory=list)

    def count(self, key: str) -> int:
        with self.lock:
            self.hits[key] += 1
            return self.hits[key]


def gzip_bomb(megabytes: int) -> bytes:
    """One gzip member that inflates to ``megabytes`` MiB of zeros (about 1 KiB per MiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join([compressor.compress(zeros) for _ in range(megabytes)] + [compressor.flush()])


def make_handler(web: FakeWeb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def version_string(self) -> str:
            return getattr(self, "server_override", None) or super().version_string()

        def send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
            self.server_override = headers.pop("Server", None)
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            if urlsplit(self.path).path == "/head405":
                self.send(405)
            else:
                self.do_GET()

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            key = query.get("key", [""])[0]
            with web.lock:
                web.arrivals.append((time.monotonic(), self.path))
            web.count(path)
            with web.lock:
                web.connections.add(self.client_address[:2])
            if parts.netloc:  # an absolute URL: the client is using this host as its proxy
                web.count(f"proxied:{parts.netloc}")
            with web.lock:
                web.authorizations.setdefault(path, []).append(self.headers.get("Authorization"))
            if path in web.pages:
                code, headers, body = web.pages[path]
                self.send(code, body, headers)
            elif self.answer_site_behaviour(path, query, key):
                return
            elif path in ("/", "/ok", "/head405", "/page"):
                self.send(200, PAGE)
            elif path.startswith("/status/"):
                self.send(int(path.rsplit("/", 1)[1]), b"status page")
            elif path.startswith("/redirect/"):
                self.send(int(path.rsplit("/", 1)[1]), headers={"Location": "/ok"})
            elif path == "/chain":
                self.send(302, headers={"Location": "/chain2"})
            elif path == "/chain2":
                self.send(307, headers={"Location": "/ok"})
            elif path == "/loop/a":
                self.send(302, headers={"Location": "/loop/b"})
            elif path == "/loop/b":
                self.send(302, headers={"Location": "/loop/a"})
            elif path == "/endless":
                n = int(query.get("n", ["0"])[0])
                self.send(302, headers={"Location": f"/endless?n={n + 1}"})
            elif path == "/flaky503":
                attempt = web.count(f"flaky503:{key}")
                self.send(503 if attempt <= 2 else 200, PAGE)
            elif path == "/ratelimited":
                attempt = web.count(f"ratelimited:{key}")
                if attempt == 1:
                    self.send(429, b"slow down", {"Retry-After": "1"})
                else:
                    self.send(200, PAGE)
            elif path == "/ratelimited-long":
                self.send(429, b"slow down", {"Retry-After": "3600"})
            elif path == "/challenge":
                self.send(403, b"Just a moment...", {"cf-mitigated": "challenge"})
            elif path == "/slow":
                time.sleep(float(query.get("s", ["3"])[0]))
                self.send(200, PAGE)
            elif path in ("/drip", "/drip404"):
                self.send_response(200 if path == "/drip" else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000" if path == "/drip" else "1000")
                self.end_headers()
                try:
                    for _ in range(100000):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.2)
                except OSError:
                    return
            elif path == "/gzip-bomb":
                self.send(200, web.gzip_bomb, {"Content-Encoding": "gzip"})
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(2 << 30))
                self.end_headers()
                chunk = b"<p>" + b"a" * 65533
                try:
                    for _ in range((2 << 30) // len(chunk)):
                        self.wfile.write(chunk)
                except OSError:
                    return
            elif path == "/soft404":
                self.send(200, NOT_FOUND_PAGE)
            elif path == "/deep/moved/page":
                self.send(302, headers={"Location": "/"})
            elif path == "/gone":
                self.send(410, b"gone")
            elif path == "/pdf":
                self.send(200, b"%PDF-1.7 " + b"x" * 1000, {"Content-Type": "application/pdf"})
            elif web.soft_404_title is not None:
                title = web.soft_404_title.encode()
                self.send(200, b"<html><head><title>" + title + b"</title></head><body>:(</body>")
            else:
                self.send(404, b"<title>404 Not Found</title>")

        def answer_site_behaviour(self, path: str, query: dict[str, list[str]], key: str) -> bool:
            """The behaviours of real sites that honest verdicts depend on; False: not one."""
            if path == "/unavailable-twice":
                attempt = web.count(f"unavailable-twice:{key}")
                if attempt <= 2:
                    self.send(503, b"busy", {"Retry-After": "1"})
                else:
                    self.send(200, PAGE)
            elif path == "/always429":
                self.send(429, b"slow down", {"Retry-After": "1"})
            elif path == "/drop-once":
                if web.count(f"drop-once:{key}") == 1:
                    self.close_connection = True  # read the request, answer nothing, hang up
                else:
                    self.send(200, PAGE)
            elif path == "/brotli":
                self.send(200, brotli.compress(QUOTED_PAGE), {"Content-Encoding": "br"})
            elif path == "/zstd":
                body = zstandard.ZstdCompressor().compress(QUOTED_PAGE)
                self.send(200, body, {"Content-Encoding": "zstd"})
            elif path == "/raw-deflate":
                compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
                body = compressor.compress(QUOTED_PAGE) + compressor.flush()
                self.send(200, body, {"Content-Encoding": "deflate"})
            elif path == "/mdn-article":
                self.send(
                    200,
                    b"<html><head><title>404 Not Found - HTTP | MDN</title></head>"
                    b"<body><h1>404 Not Found</h1><p>The HTTP 404 status code means...</p>",
                )
            elif path == "/multiple-choices":
                self.send(300, b"choose", {"Location": "/ok"})
            elif path == "/cookie-wall":
                if "consent=yes" in (self.headers.get("Cookie") or ""):
                    self.send(200, PAGE)
                else:
                    self.send(
                        302,
                        headers={"Location": "/cookie-wall", "Set-Cookie": "consent=yes; Path=/"},
                    )
            elif path == "/needs-token":
                if self.headers.get("Authorization") == "Bearer s3cret-t0ken":
                    self.send(200, PAGE)
                else:
                    self.send(401, b"who are you?")
            elif path == "/token-redirect":
                self.send(302, headers={"Location": query.get("to", ["/ok"])[0]})
            elif path.startswith("/gh/o/r/blob/"):
                self.send(200, b"<html><head><title>f.py</title></head><body>code</body></html>")
            elif path == "/gh/o/r":
                self.send(
                    200,
                    b"<html><head><title>o/r</title></head><body><article>"
                    b"<h2 id='user-content-installation'>Installation</h2></article></body>",
                )
            elif path.startswith("/raw/o/r/"):
                lines = b"".join(b"line %d\n" % n for n in range(1, 43))
                self.send(200, lines, {"Content-Type": "text/plain; charset=utf-8"})
            elif path == "/yt/watch":
                self.send(200, b"<html><head><title>YouTube</title></head><body>video</body>")
            elif path == "/yt/oembed":
                video = query.get("url", [""])[0].rsplit("=", 1)[-1]
                if video.startswith("removed"):
                    self.send(404, b"Not Found", {"Content-Type": "text/plain"})
                else:
                    body = json.dumps({"title": "A video", "type": "video"}).encode()
                    self.send(200, body, {"Content-Type": "application/json"})
            else:
                return False
            return True

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6


@dataclass
class Host:
    """One running fake host."""

    server: _Server
    scheme: str

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve(
    web: FakeWeb, address: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> Iterator[Host]:
    """Run the fake web on ``address`` (port chosen by the OS; ``::1`` for IPv6) until the
    block ends."""
    server = (_Server6 if ":" in address else _Server)((address, 0), make_handler(web))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Host(server, "https" if tls else "http")
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_raw(
    handler: type[socketserver.BaseRequestHandler], address: str = "127.0.0.1"
) -> Iterator[int]:
    """A TCP server whose ``handler`` writes the bytes itself (a malformed header, no HTTP at
    all), on a port the OS chooses, until the block ends; the port."""
    server = socketserver.ThreadingTCPServer((address, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def refused_port(address: str = "127.0.0.1") -> int:
    """A port on ``address`` where nothing listens."""
    with socket.socket() as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
