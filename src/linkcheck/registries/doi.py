"""doi.org: does a DOI exist (its plain resolution, redirect not followed), and which agency
registered a prefix (the "Which RA?" lookup)."""

from __future__ import annotations

import json
import time
from urllib.parse import urljoin

import httpx

from linkcheck.model import FetchResult, Status, doi_path
from linkcheck.registries.client import Registry, RegistryUnknown

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class DoiOrg:
    """The DOI resolver at ``base`` (https://doi.org, or a mirror)."""

    def __init__(self, registry: Registry, base: str) -> None:
        self._registry = registry
        self._base = base.rstrip("/") + "/"

    def url(self, doi: str) -> str:
        """Where ``doi`` resolves."""
        return self._base + doi_path(doi)

    async def resolve(self, doi: str) -> FetchResult:
        """Registered (302 to its URL), not registered (404, asked twice, as Citation bot
        does: the proxy's index lags), or not a DOI (400)."""
        url = self.url(doi)
        response = await self._answer(url)
        if response.status_code == 404:
            response = await self._answer(url)  # asked again before it is reported
        now = time.time()
        status = response.status_code
        if status in _REDIRECTS and response.headers.get("location"):
            location = urljoin(url, response.headers["location"])
            return FetchResult(
                Status.OK, f"registered (doi.org redirects to {location})", status, location,
                checked_at=now,
            )  # fmt: skip
        if status == 404:
            return FetchResult(
                Status.BROKEN, "DOI not registered (doi.org: DOI Not Found, asked twice)", 404,
                checked_at=now,
            )  # fmt: skip
        if status == 400:
            return FetchResult(Status.INVALID, "doi.org: not a DOI (HTTP 400)", 400, checked_at=now)
        return FetchResult(
            Status.ERROR, f"doi.org answered HTTP {status} without a redirect", status,
            checked_at=now,
        )  # fmt: skip

    async def _answer(self, url: str) -> httpx.Response:
        response = await self._registry.get(url)
        location = urljoin(url, response.headers.get("location", ""))
        if (
            response.status_code in _REDIRECTS
            and url.startswith("http://")
            and location == "https://" + url[len("http://") :]
        ):
            return await self._registry.get(location)  # the proxy's own move to https first
        return response

    async def agency(self, prefix: str) -> str | None:
        """The agency that registered ``prefix`` (``crossref``, ``datacite``, ``medra``…), or
        None when doi.org does not know the prefix."""
        response = await self._registry.get(self._base + "ra/" + doi_path(prefix))
        if response.status_code == 404:
            return None
        try:
            answers = json.loads(response.content)
            answer = answers[0]
        except (ValueError, IndexError, KeyError, TypeError):
            raise RegistryUnknown(
                f"doi.org's agency lookup answered something else than JSON "
                f"(HTTP {response.status_code})"
            ) from None
        agency = answer.get("RA") if isinstance(answer, dict) else None
        return str(agency).lower() if agency else None
