"""What a cited URL points at, and whether it is well-formed, decided without the network."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from linkcheck.model import UrlKind

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_EMAIL = re.compile(r"^[^@\s,;<>()]+@[^@\s,;<>()]+\.[^@\s,;<>()]+$")
_PHONE = re.compile(r"^\+?[0-9().\-]*[0-9][0-9().\-]*(?:;[^\s]*)?$")
_WHITESPACE = re.compile(r"\s")
# The common case, decided without urlsplit: scheme, plain host name, a valid port or none,
# no escapes.
_PLAIN_HTTP = re.compile(
    r"^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)*[A-Za-z0-9\-]+\.?"
    r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
    r"(?:[/?#][^%\s]*)?$",
    re.I,
)
_HOST = re.compile(r"^[^\s/?#@:\[\]\\]+$")
# What a browser's URL parser repairs in an http(s) URL (see _classify_as_a_browser_reads).
_AS_WRITTEN = re.compile(r'[\s"<>`\\]')
_HTTP_START = re.compile(r"^\s*https?:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class UrlVerdict:
    """A URL's kind; ``target``: the path of a local link; ``reason``: why it is invalid."""

    kind: UrlKind
    target: str | None = None
    reason: str | None = None


_HTTP = UrlVerdict(UrlKind.HTTP)


def classify_url(url: str, document_dir: Path | None, root_dir: Path | None = None) -> UrlVerdict:
    """Classify ``url`` cited in a document in ``document_dir`` (None for standard input);
    ``root_dir``: a built site's folder, where root-relative links lead."""
    if _PLAIN_HTTP.match(url):  # most citations: decided by one regex
        return _HTTP
    if not url:
        return UrlVerdict(UrlKind.INVALID, reason="empty URL")
    if _AS_WRITTEN.search(url) and _HTTP_START.match(url):
        return _classify_as_a_browser_reads(url)
    if _WHITESPACE.search(url):
        return UrlVerdict(UrlKind.INVALID, reason="URL contains whitespace")
    scheme_match = _SCHEME.match(url)
    if url.startswith("//"):  # protocol-relative: fetched over https
        verdict = _classify_http("https:" + url)
        return UrlVerdict(verdict.kind, "https:" + url, verdict.reason)
    if scheme_match is None or len(scheme_match.group(1)) == 1:  # "C:\..." is a Windows path
        return _classify_local(url, document_dir, root_dir)
    scheme = scheme_match.group(1).lower()
    if scheme in ("http", "https"):
        return _classify_http(url)
    if scheme == "mailto":
        return _classify_mailto(url)
    if scheme == "tel":
        number = unquote(url[4:])
        if _PHONE.match(number):
            return UrlVerdict(UrlKind.TEL)
        return UrlVerdict(UrlKind.INVALID, reason=f"not a telephone number: {number!r}")
    return UrlVerdict(UrlKind.UNSUPPORTED, reason=f"{scheme}: links are not checked")


def _classify_as_a_browser_reads(url: str) -> UrlVerdict:
    """An http(s) URL with what people write but a URL may not hold — a raw space, a quote,
    a backslash — read as a browser's URL parser (the WHATWG URL Standard) reads it: spaces
    and quotes percent-encoded, tabs and newlines dropped, backslashes made slashes. The
    address fetched is the serialised URL; the URL stays as cited for the report."""
    import ada_url  # a WHATWG-conformant parser: only for these URLs

    try:
        href = ada_url.URL(url).href
    except ValueError:
        return UrlVerdict(UrlKind.INVALID, reason="not a URL a browser can read (whitespace?)")
    verdict = _classify_http(href)
    return (
        UrlVerdict(verdict.kind, href, verdict.reason) if verdict.kind is UrlKind.HTTP else verdict
    )


def _classify_http(url: str) -> UrlVerdict:
    if _PLAIN_HTTP.match(url):
        return _HTTP
    before_fragment = url.split("#", 1)[0]
    if _BAD_ESCAPE.search(before_fragment):
        return UrlVerdict(UrlKind.INVALID, reason="bad percent-escape")
    try:
        parts = urlsplit(url)
        bracketed = parts.netloc.rpartition("@")[2].startswith("[")
        host = parts.hostname or ""
        if bracketed:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        if "[" in before_fragment.split("/", 3)[2 if "//" in before_fragment else 0]:
            return UrlVerdict(UrlKind.INVALID, reason="invalid IPv6 address")
        return UrlVerdict(UrlKind.INVALID, reason=f"invalid URL: {exc}")
    if not host:
        return UrlVerdict(UrlKind.INVALID, reason="URL has no host")
    if not bracketed and (not _HOST.match(host) or host.startswith(".") or ".." in host):
        return UrlVerdict(UrlKind.INVALID, reason=f"invalid host name {host!r}")
    return _HTTP


def _classify_mailto(url: str) -> UrlVerdict:
    addresses = unquote(url[7:].split("?", 1)[0])
    if not addresses:
        return UrlVerdict(UrlKind.INVALID, reason="mailto: without an address")
    for address in addresses.split(","):
        if not _EMAIL.match(address.strip()):
            return UrlVerdict(UrlKind.INVALID, reason=f"not an e-mail address: {address!r}")
    return UrlVerdict(UrlKind.MAILTO)


def _classify_local(url: str, document_dir: Path | None, root_dir: Path | None) -> UrlVerdict:
    path_part = url.split("#", 1)[0].split("?", 1)[0]
    if _BAD_ESCAPE.search(path_part):
        return UrlVerdict(UrlKind.INVALID, reason="bad percent-escape")
    base = document_dir if document_dir is not None else Path.cwd()
    if not path_part:  # "#heading": an anchor in the citing document itself
        return UrlVerdict(UrlKind.LOCAL, target="")
    decoded = unquote(path_part)
    root = root_dir if root_dir is not None else Path.cwd()
    target = root / decoded.lstrip("/") if decoded.startswith("/") else base / decoded
    if root_dir is not None:
        target = served_file(target)
    return UrlVerdict(UrlKind.LOCAL, target=str(target))


def served_file(target: Path) -> Path:
    """The file a static server answers for ``target`` in a built site: a folder's
    ``index.html``, or ``page.html`` for an extensionless ``page`` that does not exist."""
    if target.is_dir() and (target / "index.html").is_file():
        return target / "index.html"
    if not target.suffix and not target.exists() and target.with_suffix(".html").is_file():
        return target.with_suffix(".html")
    return target
