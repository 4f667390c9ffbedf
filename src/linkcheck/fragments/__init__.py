"""Fragments: text directives and anchors, found on a page as a browser finds them."""
