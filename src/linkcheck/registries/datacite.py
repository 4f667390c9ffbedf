"""DataCite's REST API: works' titles and years, many DOIs a request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from linkcheck.model import Work
from linkcheck.registries.client import Registry, RegistryUnknown

# DOIs asked in one request (``ids=``), and the page size that returns them all.
BATCH = 50
# DataCite's limits: 500 requests in 5 minutes, 1,000 with an e-mail address.
ANONYMOUS_RATE = 500 / 300
IDENTIFIED_RATE = 1000 / 300


class DataCite:
    """The DOIs API at ``base`` (https://api.datacite.org)."""

    def __init__(self, registry: Registry, base: str, mailto: str | None) -> None:
        self._registry = registry
        self._base = base.rstrip("/")
        self._mailto = mailto

    async def works(self, dois: Sequence[str]) -> dict[str, Work]:
        """The works registered as ``dois`` (case-folded), those DataCite holds."""
        params = {
            "ids": ",".join(dois),
            "page[size]": str(len(dois)),
            "fields[dois]": "doi,titles,publicationYear",
        }
        if self._mailto:
            params["mailto"] = self._mailto
        response = await self._registry.get(f"{self._base}/dois", params=params)
        try:
            records = json.loads(response.content)["data"]
        except (ValueError, KeyError, TypeError):
            records = None
        if response.status_code != 200 or not isinstance(records, list):
            raise RegistryUnknown(f"DataCite answered HTTP {response.status_code} without records")
        works = {}
        for record in records:
            work = work_of(record)
            if work is not None:
                works[work.identifier] = work
        return works


def work_of(record: Any) -> Work | None:
    """A DataCite JSON:API record as a Work."""
    try:
        attributes = record["attributes"]
        doi = str(attributes.get("doi") or record["id"]).lower()
    except (KeyError, TypeError):
        return None
    titles = tuple(
        str(t["title"])
        for t in attributes.get("titles") or []
        if isinstance(t, dict) and "title" in t
    )
    year = attributes.get("publicationYear")
    try:
        year = int(year) if year is not None else None
    except (TypeError, ValueError):
        year = None
    return Work("doi", doi, "datacite", titles, year)
