"""reStructuredText, read by docutils, the reference parser: what a reader sees as links.

Citations: embedded URIs (`` `text <URL>`_ ``), standalone URLs and e-mail addresses, external
hyperlink targets (``.. _name: URL`` and anonymous ``__ URL``, referenced or not: the location
is the definition, as for a Markdown reference definition), ``image`` and ``figure`` URIs and
their ``:target:``, and ``:pep:`` / ``:rfc:`` roles as the URLs docutils makes of them. Never
anything in literal blocks, code or comments.

A document never reads another file or runs anything: file insertion (``include``, ``raw``
with ``:file:``/``:url:``, ``csv-table`` with ``:file:``) and ``raw`` are disabled. Sphinx's
directives are tolerated without Sphinx: a code-like one is skipped whole, any other has its
content read as reStructuredText. docutils gives nodes a line, never a column: each URL is
found in the source from its node's line on, in document order.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from linkcheck.extract.raw import RawLink, collapse_whitespace

if TYPE_CHECKING:
    from docutils import nodes

_SETTINGS = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "report_level": 5,  # nothing reported: a document's mistakes are not the run's
    "halt_level": 5,
    "warning_stream": io.StringIO(),
    "traceback": True,  # raise what fails, for the caller to make the document's problem
    "input_encoding": "unicode",
    "output_encoding": "unicode",
    "character_level_inline_markup": False,
    "pep_references": False,
    "rfc_references": False,
}
# Sphinx's (and its extensions') directives whose content is code or is read from elsewhere.
_CODE_LIKE = frozenset(
    {
        "code-block", "sourcecode", "highlight", "literalinclude", "doctest", "testcode",
        "testoutput", "testsetup", "testcleanup", "ipython", "jupyter-execute", "graphviz",
        "digraph", "graph", "mermaid", "uml", "plantuml", "plot", "math", "productionlist",
        "prompt", "code-cell", "automodule", "autoclass", "autofunction", "automethod",
        "autoattribute", "autodata", "autoexception", "autosummary", "program-output",
        "command-output", "exec", "jinja", "tabularcolumns", "toctree",
    }
)  # fmt: skip


_READY = False


def _tolerate_sphinx() -> None:
    """Teach docutils Sphinx's directives, once, on the first document (docutils is imported
    only for reStructuredText): a code-like one is skipped, any other has its text read."""
    global _READY
    if _READY:
        return
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives
    from docutils.statemachine import StringList

    class Skipped(Directive):
        """A code-like directive: nothing in it is a citation."""

        optional_arguments = 100
        final_argument_whitespace = True
        option_spec: ClassVar[Any] = defaultdict(lambda: directives.unchanged)
        has_content = True

        def run(self) -> list[nodes.Node]:
            return []

    class Content(Skipped):
        """Any other directive docutils does not know (``seealso``, ``versionadded``, ``tab``…):
        its content is read as reStructuredText."""

        def run(self) -> list[nodes.Node]:
            container = nodes.container()
            if self.arguments:  # ``.. seealso:: `x <URL>`_``: the first line is text too
                line = StringList([" ".join(self.arguments)], "arguments")
                self.state.nested_parse(line, self.lineno - 1, container)
            self.state.nested_parse(self.content, self.content_offset, container)
            return [container]

    known = directives.directive

    def tolerant(name: str, language: Any, document: Any) -> tuple[Any, list[Any]]:
        # docutils has no hook for directives it does not know (it drops their content):
        # Sphinx's are answered here, before docutils looks for them.
        found, messages = known(name, language, document)
        if found is not None:
            return found, messages
        return (Skipped if name.lower() in _CODE_LIKE else Content), []

    directives.directive = tolerant  # type: ignore[assignment]
    _READY = True


_PEP = "https://peps.python.org/"
_RFC = "https://tools.ietf.org/html/"


def extract_rst(text: str, base_offset: int = 0) -> Iterator[RawLink]:
    """The citations of a reStructuredText document, in document order.

    The document is parsed without docutils' transforms: a reference to a target keeps its
    name (its target's definition is the citation), and nothing is resolved or rewritten.
    """
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    _tolerate_sphinx()
    settings = get_default_settings(Parser)
    for key, value in _SETTINGS.items():
        setattr(settings, key, value)
    tree = new_document("<document>", settings)
    Parser().parse(text, tree)
    finder = _SourceFinder(text)
    for node in tree.findall(_cited):
        found = _citation(node)
        if found is None:
            continue
        url, label, role = found
        offset = finder.find(node, url)
        yield RawLink(url, base_offset + offset, label, role)


def _cited(node: nodes.Node) -> bool:
    from docutils import nodes

    return isinstance(node, nodes.reference | nodes.target | nodes.image)


def _citation(node: nodes.Node) -> tuple[str, str, str] | None:
    """(URL, link text, role) of a node that cites, or None."""
    from docutils import nodes

    assert isinstance(node, nodes.Element)
    if isinstance(node, nodes.image):
        return str(node["uri"]), str(node.get("alt", "")), "image"
    url = node.get("refuri")
    if not url:
        return None
    if isinstance(node, nodes.target):
        if isinstance(node.parent, nodes.TextElement):
            return None  # the target an embedded URI makes: the reference cites
        names = node.get("names") or []
        return str(url), str(names[0]) if names else "", "reference"
    text = collapse_whitespace(node.astext())
    if url.startswith(_PEP) and text.startswith("PEP "):
        return str(url), text, "role:pep"
    if url.startswith(_RFC) and text.startswith("RFC "):
        return str(url), text, "role:rfc"
    if "name" not in node and text in (url, url.removeprefix("mailto:")):
        return str(url), "", "bare"
    return str(url), text, "link"


class _SourceFinder:
    """Where each cited URL is written, found from its node's line on: a URL whose written form
    differs (a backslash escape, a line break inside ``<…>``) is matched loosely; a role is
    found by its name and number."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.claimed: set[int] = set()
        self.last = 0

    def find(self, node: nodes.Node, url: str) -> int:
        start = self._line_start(node)
        written = url.removeprefix("mailto:")
        if not url.startswith((_PEP, _RFC)):  # as written, most often: no pattern to compile
            found = self.text.find(written, start)
            while found != -1 and found in self.claimed:
                found = self.text.find(written, found + 1)
            if found != -1:
                return self._claim(found)
        for match in self._pattern(url, written).finditer(self.text, start):
            if match.start() not in self.claimed:
                return self._claim(match.start())
        return start

    def _claim(self, offset: int) -> int:
        self.claimed.add(offset)
        self.last = offset
        return offset

    def _line_start(self, node: nodes.Node) -> int:
        line = None
        current: nodes.Node | None = node
        while current is not None and line is None:
            line = current.line
            current = current.parent
        if line is None:
            for child in node.findall():  # an image's target: the image has the line
                if child.line is not None:
                    line = child.line
                    break
        if line is None:
            return self.last
        # docutils' line is that of the element's first line, or one past it for some
        # elements: start a few lines earlier; claimed spans keep the order.
        index = max(0, min(len(self.line_starts) - 1, line - 4))
        return self.line_starts[index]

    @staticmethod
    def _pattern(url: str, written: str) -> re.Pattern[str]:
        """A role by its name and number; a URL written with escapes or line breaks."""
        if url.startswith((_PEP, _RFC)):
            name = "pep" if url.startswith(_PEP) else "rfc"
            number = re.search(r"(\d+)", url.removeprefix(_PEP).removeprefix(_RFC))
            digits = str(int(number.group(1))) if number else ""
            return re.compile(rf":{name}:`0*{digits}\b", re.I)
        return re.compile(r"\\?\s*".join(re.escape(char) for char in written))
