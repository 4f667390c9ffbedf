"""HTML nested deeper than libxml2's parser reads is read whole by the tokenizer."""

from __future__ import annotations

from linkcheck.extract.deephtml import FOLD_AT, parse_html_document, tokenized_tree
from linkcheck.extract.html import extract_html


def test_a_shallow_page_is_lxml_s_own_reading() -> None:
    root = parse_html_document("<p>a <a href=x>b</a>")
    assert root is not None and root.find("body") is not None  # lxml adds the implied body


def test_every_element_below_libxml2_s_limit_is_kept_in_order() -> None:
    html = "<div>" * 3000 + "<a href='/1'>one <b>two</b> three</a><img src=/2 alt=pic>"
    html += "</div>" * 3000 + "<a href=/3>four</a>"
    assert [(link.url, link.text) for link in extract_html(html)] == [
        ("/1", "one two three"), ("/2", "pic"), ("/3", "four"),
    ]  # fmt: skip


def test_the_tree_is_folded_not_cut() -> None:
    root = tokenized_tree("<div>" * (FOLD_AT * 3) + "<p id=deep>text</p>" + "</div>" * 10)
    depth, element = 0, root.get_element_by_id("deep")
    while element is not None:
        depth, element = depth + 1, element.getparent()
    assert depth <= FOLD_AT + 1
    assert root.get_element_by_id("deep").text == "text"


def test_odd_names_and_stray_end_tags_are_survived() -> None:
    root = tokenized_tree('<div a"b=1 ok=2><x<y>t</x<y></span>tail</div><br/>after')
    assert root.find(".//div").get("ok") == "2"
    assert "tail" in "".join(root.itertext()) and "after" in "".join(root.itertext())
