"""The vocabulary of scholarly identifiers: what a registry holds about a cited work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

# Update types that withdraw a work from the record, most severe first: a work updated so is
# ``retracted``. Crossref publishes no enumeration; these are the types seen in its data.
RETRACTING = ("removal", "withdrawal", "retraction", "partial_retraction")
# Updates worth a note on a live citation, by how much they say about the work.
NOTED = ("expression_of_concern", "correction", "corrigendum", "erratum")

# The DOI Handbook's URL encoding: % " # space ? must be escaped, < > { } ^ [ ] | \ + ` should
# be; "/" never is (doi.org's proxy answers 404 to %2F).
_DOI_SAFE = "/:;()=,&!$'*@~._-"


def doi_path(doi: str) -> str:
    """``doi`` as written in the path of a resolver's or registry's URL."""
    return quote(doi, safe=_DOI_SAFE)


@dataclass(frozen=True, slots=True)
class Update:
    """A notice that updates a work: a retraction, a correction, an expression of concern."""

    kind: str  # as the registry writes it: "retraction", "expression_of_concern"…
    notice: str  # the notice's identifier (its DOI), '' when it has none
    date: str | None  # YYYY-MM-DD, or as much of it as is known
    source: str  # "publisher", "retraction-watch", "arxiv"

    @property
    def retracts(self) -> bool:
        return self.kind in RETRACTING

    def describe(self) -> str:
        """``retraction (2010-02-06, notice 10.1016/…, from Retraction Watch)``."""
        said = [
            part for part in (self.date, f"notice {self.notice}" if self.notice else "") if part
        ]
        if self.source == "retraction-watch":
            said.append("from Retraction Watch")
        label = self.kind.replace("_", " ")
        return f"{label} ({', '.join(said)})" if said else label

    def record(self) -> dict[str, Any]:
        return {"type": self.kind, "notice": self.notice, "date": self.date, "source": self.source}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Update:
        return cls(record["type"], record["notice"], record.get("date"), record["source"])


@dataclass(frozen=True, slots=True)
class Work:
    """What a registry holds about one identifier: who registered it, its titles and year, the
    notices that update it. ``versions``: an arXiv paper's latest version."""

    scheme: str  # "doi" or "arxiv"
    identifier: str  # normalised: a case-folded DOI, an arXiv id without version
    agency: str | None  # "crossref", "datacite", "medra", "arxiv"…; None: not known
    titles: tuple[str, ...] = ()
    year: int | None = None
    updates: tuple[Update, ...] = ()
    versions: int | None = None
    withdrawn: str | None = None  # an arXiv paper's withdrawal comment

    @property
    def title(self) -> str | None:
        """The main title (titles are never read as missing when falsy: a paper may be "0")."""
        return self.titles[0] if self.titles else None

    @property
    def retraction(self) -> Update | None:
        """The most severe retracting update, if any."""
        found = [update for update in self.updates if update.retracts]
        return min(found, key=lambda u: RETRACTING.index(u.kind)) if found else None

    def described(self) -> str:
        """``'Title' (2019)`` for messages."""
        title = f"'{self.title}'" if self.title is not None else "an untitled work"
        return f"{title} ({self.year})" if self.year else title

    def record(self) -> dict[str, Any]:
        """The JSON shape reports, the manifest and the cache share."""
        return {
            "scheme": self.scheme,
            "id": self.identifier,
            "agency": self.agency,
            "titles": list(self.titles),
            "year": self.year,
            "updates": [update.record() for update in self.updates],
            "versions": self.versions,
            "withdrawn": self.withdrawn,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Work:
        return cls(
            record["scheme"],
            record["id"],
            record.get("agency"),
            tuple(record.get("titles", ())),
            record.get("year"),
            tuple(Update.from_record(u) for u in record.get("updates", ())),
            record.get("versions"),
            record.get("withdrawn"),
        )
