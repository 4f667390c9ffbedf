"""Is a cited title the registered work's? Titles are compared as people write them: case,
punctuation, accents, LaTeX and HTML markup, Greek letters, a dropped subtitle and an
abbreviated word do not make two titles different works.

The threshold was chosen on a labelled set built from real titles (``bench/titles.py``: 1,435
bibliography titles, 14,069 correct citations of them, 1,435 swapped): correct citations scored
78.8 at the lowest (an abbreviated four-word title), a random other work 70.8 at the highest
(median 39). Below 60, no correct citation is a mismatch and 99.7% of swapped ones are.
"""

from __future__ import annotations

import html
import re
import unicodedata

from rapidfuzz import fuzz

# Below this best score (0-100) a cited title is another work's: see bench/titles.py.
MISMATCH_BELOW = 60.0
_WORD = re.compile(r"[a-z0-9]+")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d[a-z]?\b")
# Words with which link text points at the work instead of naming it.
_POINTING = frozenset("see here this our their paper article preprint link study".split())  # noqa: SIM905
_NUMBERED = re.compile(r"^[\[(]?\d{1,4}[\])]?$")
# Link text that names no title: what people write on a link instead.
_NOT_TITLES = frozenset(
    [
        "here",
        "this",
        "link",
        "doi",
        "pdf",
        "paper",
        "article",
        "preprint",
        "arxiv",
        "source",
        "sources",
        "full",
        "text",
        "abstract",
        "online",
        "publisher",
        "journal",
        "website",
        "web",
        "page",
        "see",
        "more",
        "read",
        "download",
        "reference",
        "references",
        "cite",
        "citation",
        "dataset",
        "data",
        "code",
        "supplement",
        "supplementary",
        "html",
    ]
)


def normalised(title: str) -> str:
    """``title`` as compared: LaTeX and HTML markup read, accents dropped, Greek letters
    spelled out, lower case, words of letters and digits only."""
    if "\\" in title or "$" in title:
        title = _latex_as_text(title)
    title = html.unescape(title)
    letters = []
    for char in unicodedata.normalize("NFKD", title):
        if unicodedata.combining(char):
            continue
        if "\u0370" <= char <= "\u03ff":  # a Greek letter, as people spell it in a title
            name = unicodedata.name(char, "")
            char = f" {name.rsplit(' ', 1)[-1].lower()} " if "LETTER" in name else " "
        letters.append(char)
    return " ".join(_WORD.findall("".join(letters).casefold()))


def _latex_as_text(title: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        return str(LatexNodes2Text(math_mode="text").latex_to_text(title))
    except Exception:  # pylatexenc's own, on markup it cannot parse: read it as written
        return title


def is_a_title(text: str) -> bool:
    """Could link text be the cited work's title? Not "here", "[12]", a URL or an identifier,
    "Smith et al. (2019)", a word or two, nor a description ("the original transformer
    paper", "see our 2019 study here"): a title is written in Title Case, or runs to six words
    or more without pointing at itself."""
    stripped = text.strip().strip("\"'“”‘’*_")
    if not stripped or _NUMBERED.match(stripped) or "://" in stripped:
        return False
    lowered = stripped.lower()
    if re.search(r"\b10\.\d{4,9}/|arxiv:|doi:|\bet al\b", lowered):
        return False
    words = _WORD.findall(normalised(stripped))
    if len(words) < 3 or all(word in _NOT_TITLES for word in words):
        return False
    # "Vaswani and Shazeer 2017": an author and a year, not a title.
    if _YEAR.search(lowered) and len(words) <= 5:
        return False
    significant = [word for word in re.findall(r"[^\W\d_][\w'’-]*", stripped) if len(word) > 3]
    title_case = bool(significant) and (
        sum(word[0].isupper() for word in significant) >= 2 * len(significant) / 3
    )
    pointing = any(word in _POINTING for word in words)
    return title_case or (len(words) >= 6 and not pointing)


def similarity(cited: str, registered: str) -> float:
    """How alike two titles are, 0-100: the best of the edit-distance ratio, the same with
    words in any order, and the cited title as a prefix or a word subset of the registered
    one (a subtitle or a series name left out)."""
    a, b = normalised(cited), normalised(registered)
    if not a or not b:
        return 100.0 if a == b else 0.0
    if a == b:
        return 100.0
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    shorter, longer = sorted((a, b), key=len)
    if len(shorter.split()) >= 2 and longer.startswith(shorter + " "):
        score = max(score, 95.0)  # the title without its subtitle
    if len(shorter.split()) >= 3:
        # Every word of the shorter title in the longer one: a subtitle dropped or added.
        score = max(score, fuzz.token_set_ratio(a, b) * _coverage(shorter, longer))
    return float(score)


def _coverage(shorter: str, longer: str) -> float:
    """How much of the longer title the shorter one covers, as a weight on a subset match:
    three words of a twenty-word title say little."""
    return min(1.0, 0.5 + len(shorter) / len(longer))


def best_match(cited: str, titles: tuple[str, ...]) -> tuple[float, str | None]:
    """The registered title most like ``cited``, and its score."""
    best, which = 0.0, None
    for title in titles:
        score = similarity(cited, title)
        if score > best:
            best, which = score, title
    return best, which


def mismatched(cited: str, titles: tuple[str, ...]) -> bool:
    """Is ``cited`` clearly none of the registered ``titles``? (No titles: nothing to say.)"""
    if not titles:
        return False
    return best_match(cited, titles)[0] < MISMATCH_BELOW
