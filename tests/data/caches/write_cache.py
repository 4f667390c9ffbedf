"""Write a cache file with the ``linkcheck`` on ``PYTHONPATH``: how the fixtures beside this
script were made, each by a released version of the cache (see README.md here).

Every row goes in through that version's own ``Cache`` methods, as a run would write it; a
method the version does not have is left out (its table did not exist yet).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from linkcheck import model
from linkcheck.cache import Cache
from linkcheck.model import FetchResult, FragmentOutcome, FragmentState, Status

# The first layout's model had no refusals (a blocked page's reason said it all).
ROBOTS = model.Refusal.ROBOTS if hasattr(model, "Refusal") else None

CHECKED_AT = 1_764_000_000.0  # 2025-11-24: old enough that no run reuses it as fresh


def result(**values: object) -> FetchResult:
    known = {field.name for field in dataclasses.fields(FetchResult)}
    return FetchResult(**{k: v for k, v in values.items() if k in known})  # type: ignore[arg-type]


def main(path: Path) -> None:
    quote = FragmentOutcome(
        ":~:text=quoted%20words", "text", FragmentState.FOUND, "found", "quoted words"
    )
    cache = Cache(path)
    cache.put(
        "https://example.org/page",
        result(
            status=Status.OK, reason="200 OK", http_status=200, content_type="text/html",
            checked_at=CHECKED_AT, fragments={":~:text=quoted%20words": [quote]},
            sketch=bytes(range(16)), drift=12.5, first_seen=CHECKED_AT - 86400,
        ),
    )  # fmt: skip
    cache.put(
        "http://moved.example.org/old",
        result(
            status=Status.REDIRECTED, reason="301 → https://moved.example.org/new",
            http_status=301, final_url="https://moved.example.org/new",
            redirects=["https://moved.example.org/new"], checked_at=CHECKED_AT,
        ),
    )  # fmt: skip
    cache.put(
        "https://gone.example.org/",
        result(
            status=Status.BROKEN, reason="404 Not Found", http_status=404,
            checked_at=CHECKED_AT, failures=3,
        ),
    )  # fmt: skip
    cache.put(
        "https://walled.example.org/",
        result(
            status=Status.BLOCKED, reason="403: a bot wall", http_status=403,
            checked_at=CHECKED_AT, refusal=ROBOTS,
        ),
    )  # fmt: skip
    if hasattr(cache, "flush"):
        cache.flush()
    cache.put_snapshot(
        "https://example.org/page", "20251120101010", "https://example.org/page", "captured"
    )
    cache.put_job("https://pending.example.org/", "spn2-0123456789abcdef")
    if hasattr(cache, "put_copies"):
        cache.put_copies(
            "https://example.org/page",
            [("https://web.archive.org/web/20251120101010/https://example.org/page",
              "20251120101010")],
        )  # fmt: skip
        cache.put_copy_check(
            "https://web.archive.org/web/20251120101010/https://example.org/page",
            ":~:text=quoted%20words", True, "the quoted words are there",
        )  # fmt: skip
    cache.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
