"""LaTeX: ``\\url{…}``, ``\\href{…}{…}`` and ``\\doi{…}``, read with pylatexenc's tokenizer.

``\\nolinkurl`` prints a URL without linking it: not a citation; nor is anything in a comment
or a verbatim-like environment (``verbatim``, ``lstlisting``, ``minted``, ``comment``…) or in
``\\verb``. A URL's argument is read as LaTeX reads it — verbatim, so a ``%`` in it is no comment
— and ``\\%``, ``\\#``, ``\\_``, ``\\&``, ``\\~`` are the characters TeX prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from linkcheck.extract.raw import DOI_RESOLVER, RawLink, collapse_whitespace, inside, merged_spans

_ESCAPE = re.compile(r"\\([%#_&~$])")
_VERBATIM_ENVIRONMENTS = (
    "verbatim", "verbatim*", "Verbatim", "BVerbatim", "LVerbatim", "lstlisting", "minted",
    "comment", "filecontents", "filecontents*", "alltt", "spverbatim", "code",
)  # fmt: skip
_CANDIDATE = re.compile(r"\\(?:url|href|doi)(?![a-zA-Z])")
_VERBATIM_BLOCK = re.compile(
    r"\\begin\{(" + "|".join(re.escape(name) for name in _VERBATIM_ENVIRONMENTS) + r")\}"
    r".*?\\end\{\1\}",
    re.S,
)
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_LONGEST_WINDOW = 4096  # characters read after a candidate when no blank line comes first


def extract_latex(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The URLs a LaTeX document links to, in the order they are written.

    pylatexenc reads only the passages that can cite (from the start of a line holding
    ``\\url``, ``\\href`` or ``\\doi`` to the end of its paragraph), outside verbatim-like
    environments: a comment ends at its line's end, so a line's start is enough context, and a
    whole paper is not tokenized for its few links (4.0 → 0.11 s/MB on real papers).
    """
    from pylatexenc.latexwalker import LatexWalker

    verbatim = merged_spans([m.span() for m in _VERBATIM_BLOCK.finditer(text)])
    windows: list[tuple[int, int]] = []
    for candidate in _CANDIDATE.finditer(text):
        if inside(verbatim, candidate.start()):
            continue
        start = text.rfind("\n", 0, candidate.start()) + 1
        paragraph_end = _PARAGRAPH_END.search(text, candidate.end())
        end = paragraph_end.start() if paragraph_end else len(text)
        windows.append((start, min(end, candidate.end() + _LONGEST_WINDOW)))
    seen: set[int] = set()
    for start, end in merged_spans(windows):
        walker = LatexWalker(text[start:end], latex_context=_context(), tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        for url, offset, label, role in _links(nodes, text[start:end]):
            if start + offset not in seen:
                seen.add(start + offset)
                yield RawLink(url, base_offset + start + offset, label, role)


def _links(nodes: list[Any] | None, text: str) -> Iterator[tuple[str, int, str, str]]:
    from pylatexenc.latexwalker import LatexEnvironmentNode, LatexGroupNode, LatexMacroNode

    for index, node in enumerate(nodes or []):
        if isinstance(node, LatexMacroNode):
            if node.macroname in ("url", "href", "doi"):
                arguments = node.nodeargd.argnlist if node.nodeargd else []
                verbatim = arguments[0] if arguments else None
                if verbatim is not None and verbatim.chars.strip():
                    written = verbatim.chars
                    offset = verbatim.pos + len(written) - len(written.lstrip())
                    url = _ESCAPE.sub(r"\1", written.strip())
                    if node.macroname == "doi":
                        url = DOI_RESOLVER + url
                    label = _label(nodes or [], index, text) if node.macroname == "href" else ""
                    yield url, offset, label, f"latex:{node.macroname}"
            elif node.nodeargd is not None:
                yield from _links([a for a in node.nodeargd.argnlist if a is not None], text)
        elif isinstance(node, LatexEnvironmentNode):
            if node.environmentname not in _VERBATIM_ENVIRONMENTS:
                yield from _links(node.nodelist, text)
        elif isinstance(node, LatexGroupNode):
            yield from _links(node.nodelist, text)


def _label(nodes: list[Any], index: int, text: str) -> str:
    """The text of ``\\href``'s second argument: the group that follows it."""
    from pylatexenc.latexwalker import LatexGroupNode

    for node in nodes[index + 1 : index + 3]:
        if isinstance(node, LatexGroupNode):
            inner = text[node.pos + 1 : node.pos + node.len - 1]
            return collapse_whitespace(re.sub(r"\\[a-zA-Z]+\*?|[{}]", " ", inner))
    return ""


_CONTEXT: Any = None


def _context() -> Any:
    """pylatexenc's macros, with the URL macros and verbatim-like environments read verbatim
    (built once, on first use: pylatexenc is imported only for LaTeX documents)."""
    global _CONTEXT
    if _CONTEXT is None:
        from pylatexenc.latexwalker import LatexCharsNode, get_default_latex_context_db
        from pylatexenc.macrospec import (
            EnvironmentSpec,
            MacroSpec,
            MacroStandardArgsParser,
            ParsedVerbatimArgs,
        )

        def verbatim(w: Any, start: int, end: int, parsing_state: Any) -> Any:
            return w.make_node(
                LatexCharsNode, parsing_state=parsing_state, chars=w.s[start:end], pos=start,
                len=end - start,
            )  # fmt: skip

        class BracedVerbatim(MacroStandardArgsParser):  # type: ignore[misc]
            """A ``{…}`` argument read verbatim, braces balanced: how ``\\url`` reads it."""

            def __init__(self) -> None:
                super().__init__(argspec="{")

            def parse_args(self, w: Any, pos: int, parsing_state: Any = None) -> Any:
                start = pos
                while pos < len(w.s) and w.s[pos].isspace():
                    pos += 1
                if pos >= len(w.s) or w.s[pos] != "{":
                    return (ParsedVerbatimArgs(verbatim_chars_node=None), start, 0)
                depth, end = 0, pos
                while end < len(w.s):
                    if w.s[end] == "\\":
                        end += 2
                        continue
                    depth += {"{": 1, "}": -1}.get(w.s[end], 0)
                    if depth == 0:
                        break
                    end += 1
                chars = verbatim(w, pos + 1, end, parsing_state)
                parsed = ParsedVerbatimArgs(
                    verbatim_chars_node=chars, verbatim_delimiters=("{", "}")
                )
                return (parsed, start, end + 1 - start)

        class VerbatimBody(MacroStandardArgsParser):  # type: ignore[misc]
            """An environment's body read verbatim, up to its ``\\end{…}``."""

            def __init__(self, name: str) -> None:
                super().__init__(argspec="")
                self.end_marker = f"\\end{{{name}}}"

            def parse_args(self, w: Any, pos: int, parsing_state: Any = None) -> Any:
                end = w.s.find(self.end_marker, pos)
                end = len(w.s) if end == -1 else end
                chars = verbatim(w, pos, end, parsing_state)
                return (ParsedVerbatimArgs(verbatim_chars_node=chars), pos, end - pos)

        # Specials (``~``, ``--``, quotes…) change no URL, and testing every character for
        # them costs about a third of the parse: only macros and environments are kept.
        context = get_default_latex_context_db().filter_context(
            keep_which=["macros", "environments"]
        )
        context.add_context_category(
            "linkcheck-urls",
            macros=[
                MacroSpec(name, args_parser=BracedVerbatim())
                for name in ("url", "href", "doi", "nolinkurl")
            ],
            environments=[
                EnvironmentSpec(name, args_parser=VerbatimBody(name))
                for name in _VERBATIM_ENVIRONMENTS
            ],
            prepend=True,
        )
        _CONTEXT = context
    return _CONTEXT
