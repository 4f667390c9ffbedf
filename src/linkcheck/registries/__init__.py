"""Scholarly identifiers checked at their registries: doi.org (exists? which agency?),
Crossref and DataCite (titles, year, retractions) and the arXiv API. A DOI is never judged by
its publisher's page (``--follow-doi`` fetches that too)."""

from linkcheck.registries.runner import (
    CitedIdentifier,
    IdentifierVerdict,
    WorkRecords,
    check_identifiers,
    cited_titles,
)

__all__ = [
    "CitedIdentifier",
    "IdentifierVerdict",
    "WorkRecords",
    "check_identifiers",
    "cited_titles",
]
