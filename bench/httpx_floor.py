"""The floor under linkcheck's checking speed: the httpx API alone, fetching the same URLs.

One ``httpx.AsyncClient`` on either of linkcheck's engines (``--engine reqwest``, the default,
or ``httpx``), the same global and per-host concurrency, every body read; no extraction,
classification, retries or cache. The gap between it and linkcheck is linkcheck's own cost.

Run: ``python bench/httpx_floor.py URLS_FILE [--engine reqwest] [--concurrency 64]
[--per-host 4]`` (against the same servers as bench/check.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from linkcheck.net.engines import client_options


async def fetch_all(urls: list[str], engine: str, concurrency: int, per_host: int) -> int:
    """GET every URL, reading its body; returns how many answered 200."""
    gate = asyncio.Semaphore(concurrency)
    hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    options = client_options(
        engine, verify=True, per_host=per_host, concurrency=concurrency, timeout=20.0
    )
    ok = 0
    async with httpx.AsyncClient(**options) as client:

        async def one(url: str) -> None:
            nonlocal ok
            host = hosts[urlsplit(url).hostname or ""]
            async with gate, host, client.stream("GET", url) as response:
                await response.aread()
                ok += response.status_code == 200

        await asyncio.gather(*(one(url) for url in urls))
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("urls", type=Path)
    parser.add_argument("--engine", choices=["reqwest", "httpx"], default="reqwest")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=4)
    args = parser.parse_args()
    urls = args.urls.read_text().split()
    ok = asyncio.run(fetch_all(urls, args.engine, args.concurrency, args.per_host))
    os._exit(0 if ok == len(urls) else 1)  # as linkcheck does, past pyreqwest's teardown


if __name__ == "__main__":
    main()
