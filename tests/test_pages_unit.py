"""Page judgements: a page that says it is missing, in the languages the check reads."""

from __future__ import annotations

import pytest

from linkcheck.net.pages import page_says_it_is_missing

MISSING = [
    ("Page not found", "Sorry, the page you requested could not be found."),
    ("404", "Oops! That page can’t be found."),
    ("Not Found", "We couldn't find the page you were looking for."),
    ("Seite nicht gefunden", "Die angeforderte Seite wurde leider nicht gefunden."),
    ("Page introuvable", "La page que vous recherchez n'existe pas."),
    ("Página no encontrada", "Lo sentimos, la página que buscas no existe."),
    ("Pagina non trovata", "La pagina che cerchi non è stata trovata."),
    ("Página não encontrada", "A página que você procura não foi encontrada."),
    ("Pagina niet gevonden", "De pagina die u zoekt bestaat niet."),
    ("Nie znaleziono strony", "Strona, której szukasz, nie istnieje."),
    ("Sayfa bulunamadı", "Aradığınız sayfa bulunamadı."),
    ("Sidan hittades inte", "Sidan du söker finns inte."),
    ("Siden blev ikke fundet", "Siden, du leder efter, findes ikke."),
    ("Sivua ei löytynyt", "Hakemaasi sivua ei löytynyt."),
    ("Страница не найдена", "Запрашиваемая страница не найдена."),
    ("ページが見つかりません", "お探しのページは見つかりません。"),
    ("页面不存在", "您访问的页面不存在。"),
    ("페이지를 찾을 수 없습니다", "요청하신 페이지를 찾을 수 없습니다."),
]


def page(title: str, text: str, words: int = 0) -> bytes:
    filler = " ".join(["word"] * words)
    return (
        f"<html><head><meta charset=utf-8><title>{title}</title></head><body>"
        f"<nav>Home News Contact</nav><h1>{title}</h1><p>{text}</p><p>{filler}</p></body></html>"
    ).encode()


@pytest.mark.parametrize(("title", "text"), MISSING, ids=[t for t, _ in MISSING])
def test_a_page_that_says_it_is_missing(title: str, text: str) -> None:
    assert page_says_it_is_missing(page(title, text)) == title


@pytest.mark.parametrize(
    "body",
    [
        page("404 Not Found - HTTP | MDN", "The HTTP 404 status code means the server cannot "
             "find the requested resource."),
        page("Page not found", "Sorry, the page you requested could not be found.", words=400),
        page("Our news", "Sorry, the page you requested could not be found."),  # title decides
        page("Page not found: a history of the 404", "How the web learnt to say no."),
    ],
)  # fmt: skip
def test_content_about_missing_pages_is_not_missing(body: bytes) -> None:
    assert page_says_it_is_missing(body) is None
