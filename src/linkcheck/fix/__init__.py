"""``linkcheck fix``: the fixes a check already knows (``plan``), applied to the documents'
own bytes (``rewrite``)."""

from linkcheck.fix.plan import plan_fixes, verified_copies
from linkcheck.fix.rewrite import apply_fixes, unified_diff

__all__ = ["apply_fixes", "plan_fixes", "unified_diff", "verified_copies"]
