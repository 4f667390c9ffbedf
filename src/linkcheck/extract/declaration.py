"""What a document format declares (see ``formats.py``): its name, how its files are recognised
and decoded, and which reader turns its text into links. The reader is imported with the first
document of its format, so that a run reading only Markdown loads no other reader."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from linkcheck.extract.raw import RawLink
from linkcheck.extract.source import decode_document
from linkcheck.model import Fix, Format

Reader = Callable[[str, int], Iterator[RawLink]]  # (text, its offset in the file) → links


@dataclass(frozen=True, slots=True)
class DocumentFormat:
    """A document format: its name, how its files are recognised, decoded and read, and how a
    URL in it is rewritten."""

    name: Format
    title: str  # for people: the README's table, error messages
    # "module:function" in linkcheck.extract: the reader, imported when first used.
    reader: str
    extensions: tuple[str, ...] = ()  # a file ending so is in this format
    # A file ending so is read by its content, and may be in this format.
    by_content: tuple[str, ...] = ()
    # Does a document's start look like this format? Tried in the registry's order; a format
    # without one is only ever named (by extension, or as the fallback).
    sniff: Callable[[str], bool] | None = None
    walked: bool = True  # a folder walk reads files with these extensions
    front_matter: bool = False  # YAML front matter is read before the body
    decode: Callable[[bytes], tuple[str, str | None]] = decode_document
    media_type: str = "text/plain"  # what a local file in this format is read as
    # How ``fix`` finds and writes a URL besides as written (HTML: attribute-escaped); None
    # for formats where a URL is only ever written as it reads.
    escaped: Callable[[str], str] | None = None
    fixable: bool = True  # can ``fix`` rewrite documents in this format
    # "module:function" in linkcheck.extract: how ``fix`` writes an archived copy (or a dead-link
    # tag) beside a citation, given (text, the URL's offset, the Fix); None: the URL is replaced.
    annotator: str | None = None
    # Is the document's text read for DOIs and arXiv ids written out ("doi:10.…") after its
    # reader? (No for binary formats, and for readers that find them in their prose themselves.)
    prose: bool = True

    def extract(self, text: str, offset: int) -> Iterator[RawLink]:
        """The links of ``text``, which starts at character ``offset`` of its file."""
        reader: Reader = resolve(self.reader)
        return reader(text, offset)

    def annotate(self, text: str, start: int, fix: Fix) -> tuple[int, int, str] | str:
        """(start, end, replacement) writing ``fix`` beside the citation whose URL starts at
        ``start``, or why it cannot be (see ``annotator``)."""
        if self.annotator is None:
            return f"fix does not write archived copies beside links in {self.title}"
        annotator: Callable[[str, int, Fix], tuple[int, int, str] | str]
        annotator = resolve(self.annotator)
        return annotator(text, start, fix)

    @property
    def reader_module(self) -> str:
        """The reader's module, by its full name."""
        return f"linkcheck.extract.{self.reader.partition(':')[0]}"


@cache
def resolve(reference: str) -> Any:
    """The function a ``module:function`` reference in linkcheck.extract names."""
    module, _, function = reference.partition(":")
    # The import statement's own path (importlib.import_module bypasses it, and with it
    # ``python -X importtime``, which is how a test sees which readers a run loaded).
    loaded = __import__(f"linkcheck.extract.{module}", fromlist=[function])
    return getattr(loaded, function)
