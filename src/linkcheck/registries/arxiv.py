"""The arXiv API: many ids a request (``id_list``), answered as an Atom feed whose entries come
in any order; a missing id is simply absent, a malformed one an entry titled "Error"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from linkcheck.model import Work
from linkcheck.registries.client import Registry, RegistryUnknown

# arXiv's terms: one request every three seconds, one connection at a time.
RATE = 1 / 3
# Ids a request: the API returns up to 2,000 entries, but the URL must stay short.
BATCH = 100
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ABS = re.compile(r"^https?://arxiv\.org/abs/(.+?)(?:v([1-9]\d*))?$")
_ERROR = re.compile(r"/api/errors#incorrect_id_format_for_(.+)$")
_WITHDRAWN = re.compile(r"\bwithdrawn\b", re.I)


@dataclass(frozen=True, slots=True)
class Feed:
    """What one request told: the papers found (by id without version), and the ids arXiv
    called malformed."""

    papers: dict[str, Work]
    malformed: set[str]


class Arxiv:
    """The arXiv API query endpoint at ``url`` (https://export.arxiv.org/api/query)."""

    def __init__(self, registry: Registry, url: str) -> None:
        self._registry = registry
        self._url = url

    async def papers(self, ids: Sequence[str]) -> Feed:
        """The papers of ``ids`` (without versions), in one request."""
        params = {"id_list": ",".join(ids), "max_results": str(len(ids))}
        response = await self._registry.get(self._url, params=params)
        if response.status_code not in (200, 400):
            raise RegistryUnknown(f"arXiv answered HTTP {response.status_code}")
        try:
            return read_feed(response.content)
        except ValueError:
            said = response.text.strip()[:60]
            raise RegistryUnknown(
                f"arXiv answered with something else than a feed ({said!r})"
            ) from None


def read_feed(body: bytes) -> Feed:
    """An arXiv API answer; ValueError when it is no Atom feed ("Rate exceeded.")."""
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as exc:
        raise ValueError(str(exc)) from None
    if root.tag != f"{_ATOM}feed":
        raise ValueError("not an Atom feed")
    papers: dict[str, Work] = {}
    malformed: set[str] = set()
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        if error := _ERROR.search(entry_id):
            malformed.add(error.group(1))
            continue
        found = _ABS.match(entry_id)
        if found is None:
            continue
        identifier, version = found.group(1), found.group(2)
        # A title may be "0": read as text, never tested for truth.
        title = " ".join((entry.findtext(f"{_ATOM}title") or "").split())
        published = (entry.findtext(f"{_ATOM}published") or "").strip()
        comment = " ".join((entry.findtext(f"{_ARXIV}comment") or "").split())
        papers[identifier] = Work(
            "arxiv",
            identifier,
            "arxiv",
            (title,),
            int(published[:4]) if published[:4].isdigit() else None,
            versions=int(version) if version else None,
            withdrawn=comment if _WITHDRAWN.search(comment) else None,
        )
    return Feed(papers, malformed)
