"""What an answer's page says about itself: a bot wall in front of it, or "not found" in its
title. Shared by the check (live pages) and the archive (snapshots). Pure: no I/O."""

from __future__ import annotations

import re

import httpx

SOFT_404_BYTES = 64 * 1024
# How much of an error page is read to recognise a bot challenge in it.
CHALLENGE_BYTES = 16 * 1024

_NOT_FOUND_TEXT = re.compile(
    r"\b(?:404|page not found|not found|no longer (?:available|exists)|does not exist|"
    r"doesn['’]t exist|cannot be found|can['’]t be found|page unavailable|"
    r"nicht gefunden|existiert nicht|introuvable|n['’]existe pas|non trouvée|"
    r"no encontrada|no se encontró|no existe|non trovata|non esiste|não encontrada|"
    r"não existe|niet gevonden|bestaat niet|nie znaleziono|nie istnieje|bulunamadı|"
    r"hittades inte|ikke fundet|ei löytynyt|не найдена|не найден|не существует)\b|"
    r"見つかりません|存在しません|找不到|不存在|찾을 수 없습니다",
    re.IGNORECASE,
)
# How a page tells its reader that the page itself is missing: addressed to the reader, about
# this page (an article about the 404 status speaks of "the requested resource" in general).
_MISSING_PAGE_TEXT = re.compile(
    r"\b(?:page|url|link)\s+(?:you|you['’]re|you are|you were|you['’]ve|you have)\b[^.!?]{0,60}"
    r"(?:\bnot\b|n['’]t\b|\bno longer\b)|"
    r"\b(?:sorry|oops)\b[^.!?]{0,80}(?:\bnot|n['’]t|\bno longer)\b[^.!?]{0,30}"
    r"\b(?:found|exists?|available)\b|"
    r"\b(?:this|that|the requested)\s+(?:page|url)\s+(?:could not|couldn['’]t|cannot|can['’]t|"
    r"does not|doesn['’]t|no longer|was not|wasn['’]t|is not|isn['’]t)\b|"
    r"\bwe (?:could not|couldn['’]t|can['’]t|cannot) find (?:the|that|this|your) page\b|"
    r"\bseite\b[^.!?]{0,40}(?:nicht gefunden|existiert nicht|nicht (?:mehr )?verfügbar)|"
    r"\bpage\b[^.!?]{0,40}(?:introuvable|n['’]existe (?:pas|plus)|n['’]a pas été trouvée)|"
    r"\bpágina\b[^.!?]{0,40}(?:no (?:se )?(?:ha podido )?(?:encontrar|encontrada|existe)|"
    r"no está disponible|não (?:foi )?encontrada|não existe|não está disponível)|"
    r"\bpagina\b[^.!?]{0,40}(?:non (?:è stata )?trovata|non esiste|niet gevonden|bestaat niet|"
    r"niet (?:meer )?beschikbaar)|"
    r"\bstron[ayę]\b[^.!?]{0,40}(?:nie (?:została )?znalezion[ao]|nie istnieje)|"
    r"nie znaleziono strony|\bsayfa\b[^.!?]{0,40}(?:bulunamadı|mevcut değil)|"
    r"\bsidan\b[^.!?]{0,40}(?:hittades inte|finns inte|kunde inte hittas)|"
    r"\bsiden\b[^.!?]{0,40}(?:blev ikke fundet|findes ikke|kunne ikke findes)|"
    r"\bsivua\b[^.!?]{0,40}(?:ei löytynyt|ei löydy)|"
    r"страниц[аы][^.!?]{0,40}(?:не найдена|не существует|не может быть найдена)|"
    r"ページ[^。]{0,20}(?:見つかりません|存在しません)|"
    r"(?:页面|网页|網頁|頁面)[^。]{0,20}(?:不存在|找不到|未找到)|(?:找不到|无法找到)[^。]{0,4}(?:页面|网页)|"
    r"페이지[^.]{0,20}찾을 수 없습니다",
    re.IGNORECASE,
)
# A page with more main text than this is content, whatever its title says.
_MISSING_PAGE_WORDS = 250
_NOT_MAIN_TEXT = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")

# Bot walls by their own markers: (name, header test, body markers).
_CHALLENGE_BODY_MARKERS: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    ("Cloudflare", (b"challenge-platform", b"cf-chl-", b"<title>just a moment...</title>",
                    b"attention required! | cloudflare")),
    ("Akamai", (b"errors.edgesuite.net", b"reference&#32;&#35;")),
    ("Imperva (Incapsula)", (b"incapsula incident id", b"_incapsula_resource")),
    ("DataDome", (b"captcha-delivery.com",)),
    ("PerimeterX (HUMAN)", (b"px-captcha", b"_pxappid", b"perimeterx")),
)  # fmt: skip


def bot_challenge(
    code: int, headers: httpx.Headers | None, body: bytes | None, *, archived: bool = False
) -> str | None:
    """The bot wall an answer comes from, recognised by its vendor's own markers, or None.

    Body markers count on error answers only (a live article may well mention a vendor),
    unless the answer is an ``archived`` copy: an archive stores a wall with whatever code.
    """
    headers = headers if headers is not None else httpx.Headers()
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare bot challenge (cf-mitigated)"
    if headers.get("x-amzn-waf-action", "").lower() in ("challenge", "captcha"):
        return "AWS WAF bot challenge"
    if code < 400 and not archived:
        return None
    if headers.get("x-datadome") is not None or headers.get("x-dd-b") is not None:
        return "DataDome bot protection"
    if headers.get("x-iinfo") is not None or "incapsula" in headers.get("x-cdn", "").lower():
        return "Imperva (Incapsula) bot protection"
    server = headers.get("server", "").lower()
    if code == 403 and server.startswith("akamaighost"):
        return "Akamai bot protection"
    head = (body or b"")[:CHALLENGE_BYTES].lower()
    for vendor, markers in _CHALLENGE_BODY_MARKERS:
        # An archive seldom keeps the Server header; its copy of a wall is judged by the page.
        if vendor == "Cloudflare" and server != "cloudflare" and not archived:
            continue
        if any(marker in head for marker in markers):
            return f"{vendor} bot challenge"
    return None


def page_title(body: bytes | None) -> str | None:
    """The page's ``<title>`` as text (whitespace collapsed), or None."""
    match = _TITLE.search((body or b"")[:SOFT_404_BYTES])
    if match is None:
        return None
    return " ".join(_TAGS.sub(" ", match.group(1).decode("utf-8", "replace")).split())


def page_says_not_found(body: bytes | None) -> str | None:
    """The title or first heading, when it says "not found" (in one of several languages)."""
    if not body:
        return None
    head = body[:SOFT_404_BYTES]
    for pattern in (_TITLE, _H1):
        match = pattern.search(head)
        if match:
            text = " ".join(_TAGS.sub(" ", match.group(1).decode("utf-8", "replace")).split())
            if _NOT_FOUND_TEXT.search(text) and len(text) < 120:
                return text
    return None


def page_says_it_is_missing(body: bytes | None) -> str | None:
    """The title or first heading of a page that says it is missing, when its main text says so
    too in a few words ("Sorry, the page you requested could not be found."); else None.

    Such a page is a soft 404 whatever the site answers for other URLs; a page that only
    mentions "404" in its title (an article about the status) has long main text, or text that
    does not address the reader, and is left to the probe (see check/classify.py).
    """
    hint = page_says_not_found(body)
    if hint is None or body is None:
        return None
    text = main_text(body[:SOFT_404_BYTES])
    if len(text.split()) > _MISSING_PAGE_WORDS or not _MISSING_PAGE_TEXT.search(text):
        return None
    return hint


def main_text(body: bytes) -> str:
    """The text of a page's ``<main>`` (or ``<article>``, or body), without navigation."""
    import lxml.html  # slow to import: only for pages that say "not found"
    from lxml import etree

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("windows-1252", "replace")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(root, *_NOT_MAIN_TEXT, with_tail=False)
    # Not `or`: an lxml element with no child elements is false, however much text it holds.
    region = next(root.iter("main"), None)
    if region is None:
        region = next(root.iter("article"), None)
    if region is None:
        region = root.find("body")
    if region is None:
        return ""
    return " ".join(" ".join(str(text) for text in region.itertext()).split())
