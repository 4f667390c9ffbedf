"""PDF documents, read by PDFium (Chromium's PDF engine, through pypdfium2): link annotations
(URI actions) and the URLs in the page text, as PDFium's own web-link detection finds them
(the one Chromium's viewer uses), each with its page number.

A PDF has no lines to point at: a citation's line and column are 1, and its ``page`` says
where it is. An encrypted or damaged file is unreadable, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linkcheck.extract.identifiers import unlinked_mentions
from linkcheck.extract.raw import RawLink, UnreadableDocument, as_bytes


def extract_pdf(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """Every page's link annotations, then the URLs written in its text (a URL both linked and
    written on a page is cited once, as its link)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(as_bytes(text))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnreadableDocument("the PDF is encrypted (it needs a password)") from None
        raise UnreadableDocument(f"the PDF is damaged ({str(exc).rstrip('.')})") from None
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                linked = list(dict.fromkeys(_annotations(document, page, pdfium_c)))
                for url in linked:
                    yield RawLink(url, base_offset, "", "pdf:link", ("page", index + 1))
                textpage = page.get_textpage()
                try:
                    written = list(dict.fromkeys(_web_links(textpage, pdfium_c)))
                    for url in written:
                        if url not in linked:
                            yield RawLink(url, base_offset, "", "pdf:text", ("page", index + 1))
                    page_text = textpage.get_text_range()
                    for url in unlinked_mentions(page_text, [*linked, *written]):
                        yield RawLink(url, base_offset, "", "pdf:text", ("page", index + 1))
                finally:
                    textpage.close()
            finally:
                page.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"the PDF is damaged ({str(exc).rstrip('.')})") from None
    finally:
        document.close()


def _annotations(document: Any, page: Any, c: Any) -> Iterator[str]:
    """The URIs of the page's link annotations."""
    import ctypes  # with PDFium, for PDF documents only

    position = ctypes.c_int(0)
    link = c.FPDF_LINK()
    while c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
        action = c.FPDFLink_GetAction(link)
        if not action or c.FPDFAction_GetType(action) != c.PDFACTION_URI:
            continue
        size = c.FPDFAction_GetURIPath(document.raw, action, None, 0)
        if size <= 1:
            continue
        buffer = ctypes.create_string_buffer(size)
        c.FPDFAction_GetURIPath(document.raw, action, buffer, size)
        uri = buffer.value.decode("utf-8", "replace").strip()
        if uri:
            yield uri


def _web_links(textpage: Any, c: Any) -> Iterator[str]:
    """The URLs PDFium finds written in the page's text."""
    import ctypes

    links = c.FPDFLink_LoadWebLinks(textpage.raw)
    if not links:
        return
    try:
        for index in range(c.FPDFLink_CountWebLinks(links)):
            size = c.FPDFLink_GetURL(links, index, None, 0)
            if size <= 1:
                continue
            buffer = (ctypes.c_ushort * size)()
            c.FPDFLink_GetURL(links, index, buffer, size)
            url = bytes(buffer).decode("utf-16-le", "replace").rstrip("\0").strip()
            if url:
                yield url
    finally:
        c.FPDFLink_CloseWebLinks(links)
