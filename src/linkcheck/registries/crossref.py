"""Crossref's REST API: a work's titles, year and the notices that update it (retractions from
the publisher and from Retraction Watch), paced by the limits its answers announce."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from linkcheck.model import Update, Work, doi_path
from linkcheck.net.politeness import Lane
from linkcheck.registries.client import Registry, RegistryUnknown

# The pools Crossref announced from December 2025: (requests a second, at once).
PUBLIC_POOL = (5.0, 1)
POLITE_POOL = (10.0, 3)
# A paced client's requests still reach the server closer together than they left: a little
# under the announced rate keeps a sliding window from counting one too many.
_UNDER = 0.97
_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*s?\s*$")


def adapt_to(lane: Lane, response: httpx.Response) -> None:
    """Pace ``lane`` by the ``x-rate-limit-*`` and ``x-concurrency-limit`` headers Crossref sends
    (the smallest, when a header came doubled)."""
    limit = _smallest(response.headers.get("x-rate-limit-limit"))
    interval = _SECONDS.match(response.headers.get("x-rate-limit-interval", "1s").split(",")[0])
    concurrency = _smallest(response.headers.get("x-concurrency-limit"))
    seconds = float(interval.group(1)) if interval else 1.0
    rate = limit / seconds * _UNDER if limit and seconds > 0 else None
    lane.adapt(rate, int(concurrency) if concurrency else None)


def _smallest(value: str | None) -> float | None:
    numbers = [
        float(part)
        for part in (value or "").split(",")
        if part.strip().replace(".", "", 1).isdigit()
    ]
    return min(numbers) if numbers else None


class Crossref:
    """The works API at ``base`` (https://api.crossref.org); ``mailto`` joins the polite pool."""

    def __init__(self, registry: Registry, base: str, mailto: str | None) -> None:
        self._registry = registry
        self._base = base.rstrip("/")
        self._params = {"mailto": mailto} if mailto else None

    async def work(self, doi: str) -> Work | None:
        """The work registered as ``doi``; None when Crossref has no record of it."""
        url = f"{self._base}/works/{doi_path(doi)}"
        response = await self._registry.get(url, params=self._params)
        if response.status_code == 404:
            return None
        try:
            message = json.loads(response.content)["message"]
        except (ValueError, KeyError, TypeError):
            message = None
        if response.status_code != 200 or not isinstance(message, dict):
            raise RegistryUnknown(
                f"Crossref answered HTTP {response.status_code} without a work record"
            )
        return work_of(message, doi)


def work_of(message: dict[str, Any], doi: str) -> Work:
    """A Crossref work record as a Work."""
    own = doi.lower()
    titles = [str(t) for t in message.get("title") or []]
    for subtitle in message.get("subtitle") or []:
        titles += [f"{title}: {subtitle}" for title in list(titles)]
    for field in ("original-title", "short-title"):
        titles += [str(t) for t in message.get(field) or []]
    updates = []
    for entry in message.get("updated-by") or []:
        notice = str(entry.get("DOI", ""))
        if notice.lower() == own:  # a record that updates itself (a new version): no notice
            continue
        updates.append(
            Update(
                str(entry.get("type", "update")),
                notice,
                date_of(entry.get("updated")),
                str(entry.get("source", "publisher")),
            )
        )
    return Work(
        "doi",
        own,
        "crossref",
        tuple(dict.fromkeys(titles)),
        year_of(message.get("issued")) or year_of(message.get("published")),
        tuple(updates),
    )


def date_of(value: Any) -> str | None:
    """``{"date-parts": [[2010, 2, 6]]}`` as ``2010-02-06`` (as much of it as is given)."""
    try:
        parts = [int(p) for p in value["date-parts"][0] if p is not None]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not parts:
        return None
    return "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:3])])


def year_of(value: Any) -> int | None:
    day = date_of(value)
    return int(day[:4]) if day else None
