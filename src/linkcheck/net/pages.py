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
