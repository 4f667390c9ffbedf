"""reStructuredText: docutils' reading of links, with exact locations; never another file."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import extract, located, run_linkcheck
from linkcheck.extract import detect_format
from linkcheck.model import Format

GUIDE = r"""Installing
==========

See `Python <https://www.python.org/>`_ and the `packaging guide`_; also
https://example.com/bare, :pep:`8` and :rfc:`2616` (and :ref:`a-label`, :doc:`other`).

.. _packaging guide: https://packaging.example.org/a\_b
.. _never used: https://unused.example/

.. seealso:: `the tutorial <https://tutorial.example/>`_

.. code-block:: python

   x = "https://code.example/"

::

   https://literal.example/

Inline ``https://inline-literal.example/`` is code.

.. image:: https://img.example/a.png
   :target: https://target.example/

Anonymous `link`__ and `embedded <https://embedded.example/>`__.

__ https://anon.example/

- an item with `a long
  title <https://multi.example/
  path>`_

.. note:: write to me@example.org

.. py:function:: fetch(url)
   :noindex:

   Calls https://api.example/v1.

.. |logo| image:: https://logo.example/l.png

.. a comment https://comment.example/
"""


def test_links_targets_images_and_roles_where_they_are_written() -> None:
    assert located(extract(GUIDE, Format.RST, "guide.rst")) == [
        ("https://www.python.org/", 4, 14, "link", "Python"),
        ("https://example.com/bare", 5, 1, "bare", ""),
        ("https://peps.python.org/pep-0008", 5, 27, "role:pep", "PEP 8"),
        ("https://tools.ietf.org/html/rfc2616.html", 5, 40, "role:rfc", "RFC 2616"),
        ("https://packaging.example.org/a_b", 7, 22, "reference", "packaging guide"),
        ("https://unused.example/", 8, 17, "reference", "never used"),
        ("https://tutorial.example/", 10, 29, "link", "the tutorial"),
        ("https://target.example/", 23, 13, "link", ""),
        ("https://img.example/a.png", 22, 12, "image", ""),
        ("https://embedded.example/", 25, 35, "link", "embedded"),
        ("https://anon.example/", 27, 4, "reference", ""),
        ("https://multi.example/path", 30, 10, "link", "a long title"),
        ("mailto:me@example.org", 33, 20, "bare", ""),
        ("https://api.example/v1", 38, 10, "bare", ""),
        ("https://logo.example/l.png", 40, 19, "image", "logo"),
    ]


def test_a_url_twice_on_a_line_gets_both_places() -> None:
    text = "Both `a <https://x.example/>`_ and `b <https://x.example/>`__.\n"
    assert [(c.line, c.column) for c in extract(text, Format.RST, "a.rst")] == [(1, 10), (1, 40)]


def test_nothing_outside_the_document_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.rst"
    secret.write_text("`leak <https://leaked.example/>`_\n")
    text = (
        f".. include:: {secret}\n\n"
        f".. raw:: html\n   :file: {secret}\n\n"
        f".. csv-table:: t\n   :file: {secret}\n\n"
        ".. csv-table:: u\n   :url: http://127.0.0.1:9/table.csv\n\n"
        ".. raw:: html\n\n   <a href='https://raw.example/'>x</a>\n\n"
        f".. literalinclude:: {secret}\n\n"
        "After `ok <https://ok.example/>`_.\n"
    )
    assert [c.url for c in extract(text, Format.RST, "a.rst")] == ["https://ok.example/"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("notes.txt", "Title\n=====\n\n.. note:: x\n", Format.RST),
        ("notes.txt", "Read `this <https://e.example/>`_.\n", Format.RST),
        ("notes.txt", ".. _x: https://e.example/\n", Format.RST),
        ("notes.txt", "Title\n=====\n\nA [link](https://e.example/).\n", Format.MARKDOWN),
        ("notes.txt", "Title\n=====\n\njust words\n", Format.TEXT),
        ("guide.rest", "anything", Format.RST),
    ],
)
def test_rst_is_known_by_its_extension_or_its_content(
    name: str, text: str, expected: Format
) -> None:
    assert detect_format(name, text) is expected


@pytest.mark.e2e
def test_a_folder_walk_reads_rst_and_extract_lists_it(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.rst").write_text(GUIDE)
    done = run_linkcheck("extract", "docs", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"format": "rst"' in done.stdout
    assert "https://packaging.example.org/a_b" in done.stdout
    assert "code.example" not in done.stdout and "literal.example" not in done.stdout
