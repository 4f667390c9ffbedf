"""Each live page's fingerprint when first seen: what its drift is measured against."""

from __future__ import annotations

from linkcheck.cache.database import Database

_SEEN = (
    "INSERT INTO fingerprints (url, first_sketch, first_seen, last_seen) VALUES (?, ?, ?, ?)"
    " ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen"
)


class FingerprintStore:
    """The first fingerprint of each page's main text, and when the page was first and last
    seen."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def fingerprint(self, url: str) -> tuple[bytes, float] | None:
        """The fingerprint of ``url``'s text when first seen, and when that was."""
        return self._database.guarded(None, lambda: self._fingerprint(url))

    def _fingerprint(self, url: str) -> tuple[bytes, float] | None:
        row = self._database.connection.execute(
            "SELECT first_sketch, first_seen FROM fingerprints WHERE url = ?", (url,)
        ).fetchone()
        return (bytes(row[0]), float(row[1])) if row else None

    def seen(self, url: str, sketch: bytes, at: float) -> None:
        """``url`` was seen at ``at`` with this fingerprint: kept if it is the page's first,
        written with the next batch of results."""
        row = (url, sketch, at, at)
        self._database.guarded(None, lambda: self._database.queue(_SEEN, row, counted=False))
