"""``--sitemap URL|FILE``: the pages of a built site a sitemap lists, as inputs.

A sitemap is a document whose citations are its ``<loc>`` entries, so every page it lists is
checked. With ``--root-dir`` and ``--base-url``, a listed page under the base URL is read from
the built site on disk as well, so that its own links are checked; a sitemap index's sitemaps
are read in turn (three levels at most).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from linkcheck.errors import UsageError
from linkcheck.extract import served_file
from linkcheck.extract.inputs import Source
from linkcheck.extract.sitemap import extract_sitemap
from linkcheck.model import Site

MAX_DEPTH = 3
MAX_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one file


def sitemap_inputs(
    values: Sequence[str], site: Site, user_agent: str, timeout: float = 30.0
) -> tuple[list[str], list[Source]]:
    """(paths to read — sitemap files and the pages they list on disk —, sitemaps fetched)."""
    paths: list[str] = []
    fetched: list[Source] = []
    queue = [(value, 0) for value in values]
    seen: set[str] = set()
    while queue:
        value, depth = queue.pop(0)
        if value in seen:
            continue
        seen.add(value)
        if _is_url(value):  # read from the built site when it is there, else fetched
            local = local_file(value, site)
            if local is not None and not local.is_file():
                local = None
        else:
            local = Path(value)
            if not local.is_file():
                raise UsageError(f"--sitemap {value!r}: no such file")
        if local is not None:
            paths.append(str(local))
            data = local.read_bytes()
        else:
            data = _fetch(value, user_agent, timeout)
            fetched.append(Source(value, None, data=data))
        for raw in extract_sitemap(data.decode("utf-8", "replace")):
            if raw.role == "sitemap:sitemap":
                if depth + 1 < MAX_DEPTH:
                    queue.append((raw.url, depth + 1))
                continue
            page = local_file(raw.url, site)
            if page is not None and page.is_file() and str(page) not in paths:
                paths.append(str(page))
    return paths, fetched


def local_file(url: str, site: Site) -> Path | None:
    """The file of the built site (``--root-dir``) that serves ``url`` (under ``--base-url``)."""
    if site.root_dir is None or site.base_url is None:
        return None
    base = site.base_url.rstrip("/") + "/"
    if not (url + "/").startswith(base):
        return None
    below = url[len(base) :].split("#", 1)[0].split("?", 1)[0]
    return served_file(site.root_dir / below) if below else served_file(site.root_dir)


def _is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _fetch(url: str, user_agent: str, timeout: float) -> bytes:
    import httpx

    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise UsageError(f"--sitemap {url}: HTTP {response.status_code}")
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_BYTES:
                    raise UsageError(f"--sitemap {url}: larger than 50 MB")
            return data
    except httpx.HTTPError as exc:
        raise UsageError(f"--sitemap {url}: cannot fetch ({type(exc).__name__})") from None
