"""Two texts' differences as a page shows them: a unified diff, each line with its CSS class."""

from __future__ import annotations

import difflib


def diff_lines(old: str, new: str, old_label: str = "", new_label: str = "") -> list[tuple[str, str]]:
    """A unified diff as (css class, line) pairs: add, del, hunk, head or ctx."""
    lines = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm=""
    ):
        if line.startswith(("+++", "---")):
            kind = "head"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "ctx"
        lines.append((kind, line))
    return lines
