"""Title matching on a labelled set built from real titles: how many correct citations would be
called ``mismatch`` (false alarms) and how many swapped DOIs are caught, at each threshold.

The titles are the bibliography entries of ../shared/corpora/formats/corpus.tar.xz (read in
place, never copied); without it, a small set of well-known titles below. Each title is the
registered one; the cited ones are what people write for it (correct citations) and other
works' titles (a swapped DOI):

- correct: lower case, UPPER CASE, Title Case, punctuation dropped, hyphens as spaces, a
  trailing period, the subtitle dropped, the title as its BibTeX source writes it (braces,
  LaTeX accents and math), HTML entities, Greek letters spelled out, common words abbreviated
  (Proc., Int., J., Conf., &), one letter dropped (a typo), and the registered title marked
  "RETRACTED: ";
- swapped: a random other title, and the other title that shares the most words with it (the
  hardest case: same field, same vocabulary).

Run: ``.venv/bin/python bench/titles.py``.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

from linkcheck.registries.titles import MISMATCH_BELOW, normalised, similarity

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "formats" / "corpus.tar.xz"
FALLBACK = [
    "Attention Is All You Need",
    "Deep Residual Learning for Image Recognition",
    "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    "A Mathematical Theory of Communication",
    "On Computable Numbers, with an Application to the Entscheidungsproblem",
    "Generative Adversarial Networks",
    "ImageNet Classification with Deep Convolutional Neural Networks",
    "Long Short-Term Memory",
    "The Anatomy of a Large-Scale Hypertextual Web Search Engine",
    "Molecular Structure of Nucleic Acids: A Structure for Deoxyribose Nucleic Acid",
    "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
    "Adam: A Method for Stochastic Optimization",
    "Mastering the Game of Go with Deep Neural Networks and Tree Search",
    "Scikit-learn: Machine Learning in Python",
    "Array Programming with NumPy",
    "The FAIR Guiding Principles for Scientific Data Management and Stewardship",
    "Why Most Published Research Findings Are False",
    "Highly Accurate Protein Structure Prediction with AlphaFold",
    "A Fast Learning Algorithm for Deep Belief Nets",
    "Gradient-Based Learning Applied to Document Recognition",
]
ABBREVIATIONS = {
    "proceedings": "Proc.", "international": "Int.", "journal": "J.", "conference": "Conf.",
    "and": "&", "analysis": "Anal.", "transactions": "Trans.", "review": "Rev.",
    "physics": "Phys.", "mathematics": "Math.", "university": "Univ.",
}  # fmt: skip
GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "μ": "mu", "λ": "lambda"}
LATEX_ACCENTS = {"é": "\\'{e}", "ö": '\\"{o}', "ü": '\\"{u}', "è": "\\`{e}", "á": "\\'{a}"}


def corpus_titles() -> list[tuple[str, str]]:
    """(as written in the .bib, as read) for every entry title of the corpus's bibliographies."""
    import bibtexparser

    found: dict[str, str] = {}
    with tarfile.open(CORPUS) as archive:
        for member in archive.getmembers():
            if not member.name.endswith(".bib"):
                continue
            data = archive.extractfile(member)
            if data is None:
                continue
            text = data.read().decode("utf-8", "replace")
            library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
            for entry in library.entries:
                fields = {f.key.lower(): str(f.value) for f in entry.fields}
                written = " ".join(fields.get("title", "").split())
                read = _latex_read(written)
                if len(normalised(read).split()) >= 3:
                    found.setdefault(normalised(read), written)
    return [(written, _latex_read(written)) for written in found.values()]


def _latex_read(written: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        read = LatexNodes2Text(math_mode="text").latex_to_text(written)
    except Exception:
        read = written
    return " ".join(read.replace("{", "").replace("}", "").split())


def correct_citations(written: str, title: str) -> Iterator[tuple[str, str, str]]:
    """(kind, cited, registered) pairs that name the same work."""
    yield "lower case", title.lower(), title
    yield "upper case", title.upper(), title
    yield "title case", title.title(), title
    yield "no punctuation", re.sub(r"[^\w\s]", "", title), title
    yield "hyphens as spaces", title.replace("-", " "), title
    yield "trailing period", title + ".", title
    if ":" in title and len(title.split(":", 1)[0].split()) >= 3:
        yield "subtitle dropped", title.split(":", 1)[0], title
    if written != title:
        yield "as BibTeX writes it", written, title
    yield "HTML entities", title.replace("&", "&amp;").replace("'", "&#39;"), title
    accented = "".join(LATEX_ACCENTS.get(char, char) for char in title)
    if accented != title:
        yield "LaTeX accents", accented, title
    spelled = "".join(GREEK.get(char, char) for char in title)
    if spelled != title:
        yield "Greek spelled out", spelled, title
    words = title.split()
    short = [ABBREVIATIONS.get(word.lower(), word) for word in words]
    if short != words:
        yield "abbreviated", " ".join(short), title
    if len(title) > 30:
        cut = len(title) // 2
        yield "a typo", title[:cut] + title[cut + 1 :], title
    yield "registered as retracted", title, "RETRACTED: " + title


def swapped_citations(titles: list[str], rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """(kind, cited, registered) pairs of different works."""
    words = [set(normalised(t).split()) for t in titles]
    for index, title in enumerate(titles):
        other = rng.randrange(len(titles) - 1)
        other += other >= index
        yield "random other work", title, titles[other]
        nearest = max(
            (
                j
                for j in range(len(titles))
                if j != index and normalised(titles[j]) != normalised(title)
            ),
            key=lambda j: len(words[index] & words[j]) / max(1, len(words[index] | words[j])),
        )
        yield "closest other work", title, titles[nearest]


def main() -> int:
    if CORPUS.is_file():
        pairs = corpus_titles()
        source = f"{len(pairs)} titles from the bibliographies of {CORPUS.name}"
    else:
        pairs = [(title, title) for title in FALLBACK]
        source = f"{len(pairs)} well-known titles ({CORPUS} is not here)"
    rng = random.Random(27)
    titles = [title for _, title in pairs]
    correct = [c for written, title in pairs for c in correct_citations(written, title)]
    swapped = list(swapped_citations(titles, rng))
    print(f"labelled set: {source}; {len(correct)} correct citations, {len(swapped)} swapped")
    scored_correct = [(similarity(cited, registered), kind, cited, registered)
                      for kind, cited, registered in correct]  # fmt: skip
    scored_swapped = [(similarity(cited, registered), kind, cited, registered)
                      for kind, cited, registered in swapped]  # fmt: skip
    randoms = [s for s in scored_swapped if s[1] == "random other work"]
    closest = [s for s in scored_swapped if s[1] == "closest other work"]
    print("\nthreshold  false mismatch (correct)   caught: random other work   closest other work")
    for threshold in (30, 40, 45, 50, 55, 60, 65, 70, 75, 80):
        false = sum(score < threshold for score, *_ in scored_correct)
        caught = sum(score < threshold for score, *_ in randoms)
        near = sum(score < threshold for score, *_ in closest)
        mark = "  <- MISMATCH_BELOW" if threshold == MISMATCH_BELOW else ""
        print(
            f"{threshold:>9}  {false:>5} ({100 * false / len(correct):5.2f}%)"
            f"{caught:>16} ({100 * caught / len(randoms):5.1f}%)"
            f"{near:>14} ({100 * near / len(closest):5.1f}%){mark}"
        )
    print("\nlowest scores of correct citations, by kind:")
    kinds = sorted({kind for _, kind, *_ in scored_correct})
    for kind in kinds:
        scores = [score for score, k, *_ in scored_correct if k == kind]
        middle = statistics.median(scores)
        print(f"  {kind:<24} min {min(scores):5.1f}  median {middle:5.1f}  (n={len(scores)})")
    for kind in ("random other work", "closest other work"):
        scores = [score for score, k, *_ in scored_swapped if k == kind]
        above = sum(score >= MISMATCH_BELOW for score in scores)
        middle = statistics.median(scores)
        print(f"  swapped: {kind:<15} max {max(scores):5.1f}  median {middle:5.1f}"
              f"  missed at {MISMATCH_BELOW:g}: {above} of {len(scores)}")  # fmt: skip
    print("\nworst correct citations:")
    for score, kind, cited, registered in sorted(scored_correct)[:5]:
        print(f"  {score:5.1f} {kind}: {cited[:70]!r} for {registered[:70]!r}")
    print("best-scoring swapped citations:")
    for score, kind, cited, registered in sorted(scored_swapped, reverse=True)[:5]:
        print(f"  {score:5.1f} {kind}: {cited[:70]!r} for {registered[:70]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
