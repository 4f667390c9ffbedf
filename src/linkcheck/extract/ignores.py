"""Inline ignores: ``<!-- linkcheck-disable-next-line -->``, ``<!-- linkcheck-disable -->`` …
``<!-- linkcheck-enable -->``, each with an optional list of URLs or statuses.

``<!-- linkcheck-disable-next-line https://flaky.example/ timeout -->`` ignores, on the next
line, the citations of URLs starting with ``https://flaky.example/`` (``*`` matches anything)
when their verdict is ``timeout``. Without URLs every citation in reach is meant; without
statuses, whatever the verdict (the URL is then not fetched at all).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from linkcheck.extract.source import LineIndex
from linkcheck.model import Ignore, Status

_DIRECTIVE = re.compile(
    r"<!--\s*linkcheck-(disable-next-line|disable|enable)(?!\w|-(?!->))(.*?)-->", re.DOTALL
)
_STATUSES = {status.value: status for status in Status}


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """Lines ``first``..``last`` (inclusive; None: to the end) where citations are ignored."""

    first: int
    last: int | None
    urls: tuple[str, ...]
    statuses: frozenset[Status]
    where: str  # file:line of the directive

    def covers(self, line: int, url: str) -> bool:
        """Does this rule reach the citation of ``url`` on ``line``?"""
        if line < self.first or (self.last is not None and line > self.last):
            return False
        return not self.urls or any(_matches(pattern, url) for pattern in self.urls)


def ignore_rules(text: str, lines: LineIndex, file: str) -> list[IgnoreRule]:
    """Every inline ignore of ``text`` (``file`` names it in the reasons), in order."""
    if "linkcheck-" not in text:
        return []
    rules: list[IgnoreRule] = []
    open_block: tuple[int, tuple[str, ...], frozenset[Status], str] | None = None
    for match in _DIRECTIVE.finditer(text):
        kind, arguments = match.group(1), match.group(2)
        line = lines.position(match.start())[0]
        end_line = lines.position(match.end() - 1)[0]
        where = f"{file}:{line}"
        urls, statuses = _arguments(arguments)
        if kind == "disable-next-line":
            rules.append(IgnoreRule(end_line + 1, end_line + 1, urls, statuses, where))
        elif kind == "disable":
            if open_block is not None:  # a second disable closes the first where it starts
                first, old_urls, old_statuses, old_where = open_block
                rules.append(IgnoreRule(first, line, old_urls, old_statuses, old_where))
            open_block = (line, urls, statuses, where)
        elif open_block is not None:
            first, old_urls, old_statuses, old_where = open_block
            rules.append(IgnoreRule(first, end_line, old_urls, old_statuses, old_where))
            open_block = None
    if open_block is not None:
        first, urls, statuses, where = open_block
        rules.append(IgnoreRule(first, None, urls, statuses, where))
    return rules


def ignore_for(rules: list[IgnoreRule], line: int, url: str) -> Ignore | None:
    """The first rule that reaches the citation of ``url`` on ``line``, as an Ignore."""
    for rule in rules:
        if rule.covers(line, url):
            return Ignore(rule.where, rule.statuses)
    return None


def _arguments(text: str) -> tuple[tuple[str, ...], frozenset[Status]]:
    urls: list[str] = []
    statuses: set[Status] = set()
    for token in re.split(r"[\s,]+", text.strip()):
        if not token:
            continue
        if token.lower() in _STATUSES:
            statuses.add(_STATUSES[token.lower()])
        else:
            urls.append(token)
    return tuple(urls), frozenset(statuses)


def _matches(pattern: str, url: str) -> bool:
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(url, pattern)
    return url.startswith(pattern)
