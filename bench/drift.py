"""Drift verdicts on labelled page pairs, and the cost of fingerprinting.

How the pairs are built (no network here): 60 articles are the documentation of Python
standard-library modules (each module's docstring and its public members' docstrings, at
least 300 words). Each article is rendered twice in two different site templates — other
navigation, header and footer, a cookie banner, ads and "related" links drawn at random,
new dates, view and comment counters, and the paragraphs split differently — which is what
a re-rendered page looks like. "Same article" pairs are an article in both renderings (some
with one sentence corrected); "different article" pairs are two different articles, each in
a rendering, so the template is the same and only the article differs (a recycled URL).

Prints the drift distribution of each kind, the threshold chosen, the false ``changed``
verdicts on same-article pairs and the share of different-article pairs caught, and the
fingerprinting time per page.

Run: ``python bench/drift.py``.
"""

from __future__ import annotations

import importlib
import inspect
import random
import statistics
import time

from linkcheck.check.fingerprint import drift, sketch_of

MODULES = [
    "argparse", "asyncio", "base64", "bisect", "calendar", "collections", "contextlib",
    "csv", "dataclasses", "datetime", "decimal", "difflib", "email", "enum", "fnmatch",
    "fractions", "ftplib", "functools", "getopt", "gettext", "glob", "gzip", "hashlib",
    "heapq", "hmac", "html", "http.client", "imaplib", "inspect", "ipaddress", "itertools",
    "json", "logging", "lzma", "mailbox", "math", "mimetypes", "numbers", "operator",
    "optparse", "pathlib", "pickle", "pprint", "queue", "random", "re", "sched", "secrets",
    "shelve", "shlex", "shutil", "smtplib", "socket", "sqlite3", "statistics", "string",
    "struct", "subprocess", "tarfile", "tempfile", "textwrap", "threading", "timeit",
    "tokenize", "typing", "unittest", "urllib.parse", "uuid", "warnings", "weakref", "zipfile",
]  # fmt: skip
CORRECTION = "this sentence was corrected after publication by the editors"
NAV = ["Home", "World", "Politics", "Business", "Tech", "Science", "Health", "Sport",
       "Opinion", "Culture", "Travel", "Video", "Podcasts", "Newsletters"]  # fmt: skip
AD_WORDS = ["discover", "exclusive", "offer", "save", "premium", "today", "limited", "deal",
            "subscribe", "free", "trial", "members", "special", "best", "new"]  # fmt: skip


def article(name: str) -> list[str]:
    module = importlib.import_module(name)
    parts = [inspect.getdoc(module) or ""]
    for member_name, member in inspect.getmembers(module):
        if member_name.startswith("_"):
            continue
        doc = inspect.getdoc(member)
        if doc and getattr(member, "__module__", name) == name:
            parts.append(doc)
    words = " ".join(parts).split()
    return words[:1500]


def render(title: str, words: list[str], rng: random.Random, titles: list[str]) -> bytes:
    nav = " ".join(f"<a href='/{n.lower()}'>{n}</a>" for n in rng.sample(NAV, 8))
    paragraphs, i = [], 0
    while i < len(words):
        size = rng.randint(25, 70)
        paragraphs.append("<p>" + " ".join(words[i : i + size]) + "</p>")
        i += size
    for _ in range(3):  # ads within the article
        ad = " ".join(rng.choice(AD_WORDS) for _ in range(12))
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), f"<div class='ad-slot'>{ad}</div>")
    related = "".join(f"<li><a href='#'>{t}</a></li>" for t in rng.sample(titles, 5))
    date = f"{rng.randint(1, 28)} March 20{rng.randint(20, 26)}"
    return (
        f"<!doctype html><html><head><title>{title}</title><script>var t={rng.random()}</script>"
        f"</head><body><header><nav>{nav}</nav></header>"
        f"<div class='cookie-banner'>We use cookies to improve your experience.</div>"
        f"<main><article><h1>{title}</h1><p class=byline>Published {date} · "
        f"{rng.randint(100, 99999)} views · {rng.randint(0, 900)} comments</p>"
        + "".join(paragraphs)
        + f"</article><section class='related'><ul>{related}</ul></section></main>"
        f"<aside>Trending: {' '.join(rng.sample(titles, 6))}</aside>"
        f"<footer>© 20{rng.randint(20, 26)} Example Media · <a href='/privacy'>Privacy</a></footer>"
        "</body></html>"
    ).encode()


def main() -> None:
    rng = random.Random(2026)
    articles = {}
    for name in MODULES:
        words = article(name)
        if len(words) >= 300:
            articles[name] = words
    names = list(articles)[:60]
    titles = [f"Understanding {n}" for n in names]
    same, different = [], []
    sketch_time, sketched = 0.0, 0
    for index, name in enumerate(names):
        words = articles[name]
        edited = list(words)
        if index % 3 == 0:  # a correction: one sentence's worth of words changed
            at = rng.randrange(len(edited) - 20)
            edited[at : at + 12] = [
                "this",
                "sentence",
                "was",
                "corrected",
                "after",
                "publication",
                "by",
                "the",
                "editors",
            ]
        first = render(f"Understanding {name}", words, rng, titles)
        second = render(f"Understanding {name}", edited, rng, titles)
        other_name = names[(index + 1 + rng.randrange(len(names) - 1)) % len(names)]
        other = render(f"Understanding {name}", articles[other_name], rng, titles)
        started = time.perf_counter()
        a, b, c = sketch_of(first), sketch_of(second), sketch_of(other)
        sketch_time += time.perf_counter() - started
        sketched += 3
        assert a and b and c
        same.append(drift(a, b))
        different.append(drift(a, c))
    threshold = 50.0
    print(f"{len(same)} same-article pairs, {len(different)} different-article pairs "
          f"({len(names)} articles, {min(len(w) for w in articles.values())}+ words)")  # fmt: skip
    for label, values in (("same article", same), ("different article", different)):
        print(f"  {label}: drift min {min(values):.1f}%, median {statistics.median(values):.1f}%, "
              f"max {max(values):.1f}%")  # fmt: skip
    false_changed = sum(1 for d in same if d >= threshold)
    caught = sum(1 for d in different if d >= threshold)
    print(f"threshold {threshold:g}%: {false_changed} false 'changed' on same-article pairs, "
          f"{caught}/{len(different)} different-article pairs caught "
          f"({100 * caught / len(different):.0f}%)")  # fmt: skip
    size = statistics.mean(len(render("x", articles[n], rng, titles)) for n in names) / 1024
    print(f"fingerprint: {1000 * sketch_time / sketched:.2f} ms a page (pages of {size:.0f} KB)")


if __name__ == "__main__":
    main()
