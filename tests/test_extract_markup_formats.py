"""LaTeX, Org and AsciiDoc: each read by its own rules, with exact locations and the traps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import extract, located, run_linkcheck
from linkcheck.extract import detect_format
from linkcheck.model import Format

PAPER = r"""\documentclass{article}
\usepackage{hyperref}
% \url{https://comment.example/}
\begin{document}
See \url{https://x.example/a%20b\_c#frag} and \href{https://h.example/?a=1\&b=2}{the \emph{text}}.
\nolinkurl{https://nolink.example/}
\begin{verbatim}
\url{https://verbatim.example/}
\end{verbatim}
\begin{lstlisting}[language=Python]
requests.get("https://listing.example/") \href{https://listing2.example/}{x}
\end{lstlisting}
\footnote{\url{https://foot.example/}} \doi{10.1000/xyz} \verb|\url{https://verb.example/}|
\url{ https://spaced.example/ } 50\% of \url{https://after.example/}
\input{chapter} \include{other}
\end{document}
"""


def test_latex_url_href_and_doi_as_tex_prints_them() -> None:
    assert located(extract(PAPER, Format.LATEX, "paper.tex")) == [
        ("https://x.example/a%20b_c#frag", 5, 10, "latex:url", ""),
        ("https://h.example/?a=1&b=2", 5, 53, "latex:href", "the text"),
        ("https://foot.example/", 13, 16, "latex:url", ""),
        ("https://doi.org/10.1000/xyz", 13, 45, "latex:doi", ""),
        ("https://spaced.example/", 14, 7, "latex:url", ""),
        ("https://after.example/", 14, 46, "latex:url", ""),
    ]


NOTES = """#+TITLE: Notes
#+LINK: gh https://github.com/%s
#+LINK: wiki https://en.wikipedia.org/wiki/
* Heading with [[https://x.example/a][a description
  over two lines]]
See [[https://plain-bracket.example/]] and [[gh:org/repo]] and [[wiki:Org_mode][Org]].
A plain https://plain.example/p. and <https://angle.example/> and www.nolink.example
Emacs: [[kbd:C-c C-c]] [[id:1234]] [[elisp:(foo)]] [[file:other.org::*Heading][other]]
DOI [[doi:10.1000/xyz]].
Code ~https://code.example/~ and =https://verbatim.example/=.
: https://fixed.example/
# https://comment.example/
#+BEGIN_SRC python
requests.get("https://src.example/")
#+END_SRC
#+begin_example
[[https://example-block.example/]]
#+end_example
- item [[mailto:me@example.org][mail me]]
"""


def test_org_links_abbreviations_and_what_is_not_a_citation() -> None:
    assert located(extract(NOTES, Format.ORG, "notes.org")) == [
        ("https://x.example/a", 4, 18, "link", "a description over two lines"),
        ("https://plain-bracket.example/", 6, 7, "link", ""),
        ("https://github.com/org/repo", 6, 46, "link", ""),
        ("https://en.wikipedia.org/wiki/Org_mode", 6, 66, "link", "Org"),
        ("https://plain.example/p", 7, 9, "bare", ""),
        ("https://angle.example/", 7, 39, "autolink", ""),
        ("other.org", 8, 54, "link", "other"),
        ("https://doi.org/10.1000/xyz", 9, 7, "link", ""),
        ("mailto:me@example.org", 19, 10, "link", "mail me"),
    ]


BOOK = r"""= Document Title
:url-repo: https://github.com/org/repo
:imagesdir: images
:unused-home: https://home.example/

A https://antora.org/[Antora] link, {url-repo}/issues[the issues^], and {url-repo} alone.
image:https://img.shields.io/badge.svg[Badge,link=https://badge-target.example/]
image::diagram.png[A diagram]
link:other.adoc[Other doc] and link:++https://odd.example/a b++[odd] mailto:me@example.org[Mail]
or joe@example.com
Escaped \https://escaped.example/ and +https://passthrough.example/+ and <https://angle.example/>.
Trailing https://trail.example/page. and `https://mono.example/` in backticks.

----
curl https://listing.example/
----

....
https://literal.example/
....

// https://comment.example/

 an indented literal https://indented.example/

video::https://video.example/v.mp4[]
"""


def test_asciidoc_macros_attributes_and_what_is_literal() -> None:
    assert located(extract(BOOK, Format.ASCIIDOC, "book.adoc")) == [
        ("https://antora.org/", 6, 3, "link", "Antora"),
        ("https://github.com/org/repo/issues", 6, 37, "link", "the issues"),
        ("https://github.com/org/repo", 6, 73, "bare", ""),
        ("https://img.shields.io/badge.svg", 7, 7, "image", "Badge"),
        ("https://badge-target.example/", 7, 51, "image-link", ""),
        ("images/diagram.png", 8, 8, "image", "A diagram"),
        ("other.adoc", 9, 6, "link", "Other doc"),
        ("https://odd.example/a b", 9, 39, "link", "odd"),
        ("mailto:me@example.org", 9, 70, "link", "Mail"),
        ("mailto:joe@example.com", 10, 4, "bare", ""),
        ("https://angle.example/", 11, 75, "autolink", ""),
        ("https://trail.example/page", 12, 10, "bare", ""),
        ("https://mono.example/", 12, 43, "bare", ""),
        ("https://video.example/v.mp4", 26, 8, "video", ""),
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("paper.txt", PAPER, Format.LATEX),
        ("notes.txt", NOTES, Format.ORG),
        ("book.txt", BOOK, Format.ASCIIDOC),
        ("a.ltx", "", Format.LATEX),
        ("a.asc", "", Format.ASCIIDOC),
        ("a.asciidoc", "", Format.ASCIIDOC),
    ],
)
def test_each_is_known_by_its_extension_or_its_content(
    name: str, text: str, expected: Format
) -> None:
    assert detect_format(name, text) is expected


@pytest.mark.e2e
def test_a_folder_of_every_text_format_is_walked(tmp_path: Path) -> None:
    for name, text in (("paper.tex", PAPER), ("notes.org", NOTES), ("book.adoc", BOOK)):
        (tmp_path / name).write_text(text)
    done = run_linkcheck("extract", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    documents = json.loads(done.stdout)["documents"]
    assert {d["file"]: d["format"] for d in documents} == {
        "paper.tex": "latex", "notes.org": "org", "book.adoc": "asciidoc",
    }  # fmt: skip
    for hidden in ("comment.example", "verbatim.example", "listing.example", "src.example"):
        assert hidden not in done.stdout


def test_latex_input_and_include_are_never_followed(tmp_path: Path) -> None:
    (tmp_path / "chapter.tex").write_text(r"\url{https://leaked.example/}")
    text = rf"\input{{{tmp_path / 'chapter'}}} \include{{{tmp_path / 'chapter'}}} \url{{https://ok.example/}}"
    assert [c.url for c in extract(text, Format.LATEX, "paper.tex")] == ["https://ok.example/"]


def test_asciidoc_passthrough_html_nested_attributes_and_legacy_link_targets() -> None:
    text = (
        ":url-org: https://github.com/org\n"
        ":url-repo: {url-org}/repo\n"
        "\n"
        "See {url-repo}/issues[issues] and link:$$https://dtrt.example/a$$[] and\n"
        'pass:[<a href="https://pass.example/">p</a>] and +https://literal.example/+.\n'
        "\n"
        "++++\n"
        '<p><a href="https://block.example/">b</a></p>\n'
        "++++\n"
        "\n"
        "  - an indented list item https://item.example/\n"
    )
    assert located(extract(text, Format.ASCIIDOC, "a.adoc")) == [
        ("https://github.com/org/repo/issues", 4, 5, "link", "issues"),
        ("https://dtrt.example/a", 4, 42, "link", ""),
        ("https://pass.example/", 5, 16, "html:a", "p"),
        ("https://block.example/", 8, 13, "html:a", "b"),
        ("https://item.example/", 11, 27, "bare", ""),
    ]


def test_an_asciidoc_macro_text_may_hold_an_escaped_bracket() -> None:
    text = "* https://youtu.be/x[The Film [TRAILER\\] | soon] - a talk\n"
    assert located(extract(text, Format.ASCIIDOC, "a.adoc")) == [
        ("https://youtu.be/x", 1, 3, "link", "The Film [TRAILER] | soon"),
    ]


def test_asciidoc_attribute_entries_under_conditionals_are_the_documents_own() -> None:
    text = (
        ":url-repo: https://github.com/org/repo\n"
        ":url-files: link:\n"
        "ifdef::env-site[]\n"
        ":url-files: {url-repo}/blob/HEAD/\n"
        "endif::[]\n"
        "ifndef::env-site[:url-home: https://home.example/]\n"
        "ifdef::env-github[:url-home: https://github-home.example/]\n"
        "\n"
        "{url-files}CONTRIBUTING.adoc[contributing] and {url-home}[home].\n"
        "ifdef::env-github[]\n"
        "image:https://badge.example/b.svg[CI]\n"
        "endif::[]\n"
    )
    assert located(extract(text, Format.ASCIIDOC, "a.adoc")) == [
        ("CONTRIBUTING.adoc", 9, 1, "link", "contributing"),
        ("https://home.example/", 9, 48, "link", "home"),
        ("https://badge.example/b.svg", 11, 7, "image", "CI"),  # content: both sides read
    ]
