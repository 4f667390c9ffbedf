"""From citations to what must be checked: filters, remapping, and one fetch per URL."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag

from linkcheck.config import CheckConfig
from linkcheck.fragments import quote_fragment
from linkcheck.model import (
    FETCH_FAILED,
    PAGE_ALIVE,
    Citation,
    Claims,
    Ignore,
    Result,
    Status,
    UrlKind,
    doi_path,
)

# What a source marked dead (and archived) in its template is expected to answer: no news.
_EXPECTED_OF_THE_DEAD = FETCH_FAILED | {Status.FRAGMENT_MISSING, Status.BLOCKED}


@dataclass(slots=True)
class CitedUrl:
    """One distinct cited URL (fragment included) and every citation of it."""

    url: str
    kind: UrlKind
    citations: list[Citation] = field(default_factory=list)
    fetch_url: str | None = None  # what is fetched: remapped, no fragment; None if not fetched
    excluded: str | None = None  # why it is not checked at all
    ignore: Ignore | None = None  # an inline ignore silencing some verdicts
    identifier: str | None = None  # a DOI's or arXiv id's, normalised (see Citation)
    claims: Claims | None = None  # what its citations' template says about the source

    def silenced(self, result: Result) -> Result:
        """``result``, or an ``excluded`` one when an inline ignore silences its verdict; with
        what the citing template says of the source weighed in (see ``claimed``)."""
        if self.claims is not None:
            result = claimed(result, self.claims, self.fragment if "#" not in self.url else "")
        if self.ignore is None or result.status not in self.ignore.statuses:
            return result
        reason = f"ignored at {self.ignore.where} (was {result.status.value}: {result.reason})"
        return dataclasses.replace(result, status=Status.EXCLUDED, reason=reason)

    @property
    def fragment(self) -> str:
        """The fragment as cited, without ``#`` ('' when there is none); for a citation whose
        template quotes the source, the text fragment that finds the quote."""
        if "#" in self.url:
            return urldefrag(self.url).fragment
        quoted = self.claims.quote if self.claims is not None else None
        return (quote_fragment(quoted) or "") if quoted else ""


def claimed(result: Result, claims: Claims, quote: str) -> Result:
    """A source's verdict beside what its template says: one marked dead with an archived copy
    (checked as a citation of its own) is not reported dead again, and one marked dead that
    answers again is said to be alive. ``quote``, the text fragment of the template's quote
    ('' when there is none or the URL has its own), goes with the result, for its archived
    copies to be verified with."""
    result = dataclasses.replace(result, quote=quote or None, claims=claims)
    marked = []
    if claims.status == "dead":
        marked.append("url-status=dead")
    if claims.dead_tag is not None:
        marked.append(
            "{{dead link" + (f"|date={claims.dead_tag}" if claims.dead_tag else "") + "}}"
        )
    if not marked:
        return result
    how = " and ".join(marked)
    if result.status in PAGE_ALIVE:
        reason = f"{result.reason}; alive again, though marked {how}"
        return dataclasses.replace(result, reason=reason)
    if claims.archive_url and result.status in _EXPECTED_OF_THE_DEAD:
        reason = (
            f"marked {how}, with an archived copy (checked as its own citation); "
            f"the original: {result.status.value}: {result.reason}"
        )
        return dataclasses.replace(result, status=Status.EXCLUDED, reason=reason)
    return dataclasses.replace(result, reason=f"{result.reason} (marked {how})")


def group_citations(citations: Iterable[Citation], config: CheckConfig) -> list[CitedUrl]:
    """Distinct cited URLs in first-citation order, each with its fetch URL decided.

    Citations an inline ignore reaches are a group of their own: the URL's other citations are
    still checked (one fetch serves both).
    """
    groups: dict[tuple[str, str | None, Ignore | None, Claims | None], CitedUrl] = {}
    for citation in citations:
        # The same relative link from two folders names two files (or, with --base-url, two
        # URLs): the resolved target is part of what the citation means. So is what a
        # template says of its source (a quote to find, a status).
        key = (citation.url, citation.target, citation.ignore, citation.claims)
        group = groups.get(key)
        if group is None:
            group = groups[key] = CitedUrl(
                citation.url, citation.kind, ignore=citation.ignore,
                identifier=citation.identifier, claims=citation.claims,
            )  # fmt: skip
            ignore = citation.ignore
            if ignore is not None and not ignore.statuses:
                group.excluded = f"ignored at {ignore.where}"
            elif citation.claims is not None and citation.claims.unfit:
                group.excluded = (
                    f"url-status={citation.claims.status} in its template: "
                    "the original is not to be linked, so it is not checked"
                )
            elif citation.kind is UrlKind.HTTP:
                address = citation.target or citation.url  # protocol-relative links get https:
                group.excluded = excluded_by(citation.url, config)
                if group.excluded is None:
                    if "#" in address:
                        address = urldefrag(address).url
                    group.fetch_url = remap(address, config)
            elif citation.kind in IDENTIFIERS:
                group.excluded = excluded_by(citation.url, config)
                if group.excluded is None and (config.follow_doi or "#" in citation.url):
                    group.fetch_url = remap(landing_page(citation, config), config)
        group.citations.append(citation)
    return list(groups.values())


IDENTIFIERS = frozenset({UrlKind.DOI, UrlKind.ARXIV})


def landing_page(citation: Citation, config: CheckConfig) -> str:
    """Where an identifier's page is fetched (its fragment verified): a DOI at the configured
    resolver, which redirects to the publisher; an arXiv id at its abstract page."""
    if citation.kind is UrlKind.DOI and citation.identifier:
        return f"{config.doi_url.rstrip('/')}/{doi_path(citation.identifier)}"
    return urldefrag(citation.url).url


def excluded_by(url: str, config: CheckConfig) -> str | None:
    """Why ``url`` is not checked (``--include``/``--exclude``, ``.linkcheckignore``), or None."""
    if is_excluded(url, config):
        return "excluded by --include/--exclude"
    for rule in config.ignore_file_rules:
        if rule.pattern.search(url):
            return f"ignored by {rule.where}"
    return None


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


def shard_of(host: str, shards: int) -> int:
    """Which of ``shards`` shares a host belongs to (0-based): the same on every machine and run,
    so that worker processes and CI shards split the hosts alike."""
    return zlib.crc32(host.encode("utf-8", "surrogateescape")) % shards
