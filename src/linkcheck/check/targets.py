"""From citations to what must be checked: filters, remapping, and one fetch per URL."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from linkcheck.config import CheckConfig
from linkcheck.model import Citation, UrlKind


@dataclass(slots=True)
class CitedUrl:
    """One distinct cited URL (fragment included) and every citation of it."""

    url: str
    kind: UrlKind
    citations: list[Citation] = field(default_factory=list)
    fetch_url: str | None = None  # what is fetched: remapped, no fragment; None if not fetched
    excluded: bool = False

    @property
    def fragment(self) -> str:
        """The fragment as cited, without ``#`` ('' when there is none)."""
        return urldefrag(self.url).fragment if "#" in self.url else ""


def group_citations(citations: Iterable[Citation], config: CheckConfig) -> list[CitedUrl]:
    """Distinct cited URLs in first-citation order, each with its fetch URL decided."""
    groups: dict[tuple[str, str | None], CitedUrl] = {}
    for citation in citations:
        key = (citation.url, citation.target if citation.kind is UrlKind.LOCAL else None)
        group = groups.get(key)
        if group is None:
            group = groups[key] = CitedUrl(citation.url, citation.kind)
            if citation.kind is UrlKind.HTTP:
                address = citation.target or citation.url  # protocol-relative links get https:
                if is_excluded(citation.url, config):
                    group.excluded = True
                else:
                    group.fetch_url = remap(urldefrag(address).url, config)
        group.citations.append(citation)
    return list(groups.values())


def is_excluded(url: str, config: CheckConfig) -> bool:
    """With ``--include``, only matching URLs are checked (``--exclude`` is then ignored)."""
    if config.include:
        return not any(pattern.search(url) for pattern in config.include)
    return any(pattern.search(url) for pattern in config.exclude)


def remap(url: str, config: CheckConfig) -> str:
    """Apply the first ``--remap`` rule that matches."""
    for rule in config.remap:
        if rule.pattern.search(url):
            return rule.apply(url)
    return url


def host_of(url: str) -> str:
    """The host name a URL's requests go to (lower case; '' when there is none)."""
    return (urlsplit(url).hostname or "").lower()


def shard_of(host: str, shards: int) -> int:
    """Which of ``shards`` shares a host belongs to (0-based): the same on every machine and run,
    so that worker processes and CI shards split the hosts alike."""
    return zlib.crc32(host.encode("utf-8", "surrogateescape")) % shards
