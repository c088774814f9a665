"""Tree edits that keep a document's indentation, so a changed file still reads like the original."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree


def _is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _indent_before(el: etree._Element) -> str | None:
    """The whitespace that precedes el's start tag (from its previous sibling or parent)."""
    prev = el.getprevious()
    ws = prev.tail if prev is not None else (el.getparent().text if el.getparent() is not None else None)
    if ws is None or not _is_blank(ws) or "\n" not in ws:
        return None
    return ws[ws.rindex("\n") + 1 :]


def insert_at(parent: etree._Element, index: int, child: etree._Element) -> None:
    """Insert child at index, giving it the indentation its new siblings use."""
    kids = list(parent)
    if not kids:
        own = _indent_before(parent)
        if own is not None and _is_blank(parent.text):
            parent.text = "\n" + own + "  "
            child.tail = "\n" + own
        parent.insert(0, child)
        return
    if index >= len(kids):
        last = kids[-1]
        lead = kids[-2].tail if len(kids) > 1 else parent.text
        if _is_blank(last.tail) and _is_blank(lead):
            child.tail, last.tail = last.tail, lead
        parent.append(child)
        return
    lead = parent.text if index == 0 else kids[index - 1].tail
    if _is_blank(lead):
        child.tail = lead
    parent.insert(index, child)


def insert_ordered(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> None:
    """Insert child where the declared element order puts it; unknown siblings are skipped over."""
    rank = {tag: i for i, tag in enumerate(order)}
    mine = rank.get(child.tag)
    kids = list(parent)
    if mine is None:
        insert_at(parent, len(kids), child)
        return
    index = None
    for i, kid in enumerate(kids):
        r = rank.get(kid.tag) if isinstance(kid.tag, str) else None
        if r is not None and r <= mine:
            index = i + 1
    if index is None:
        # Nothing declared before it: go in front of the first declared sibling that follows.
        later = [i for i, k in enumerate(kids) if isinstance(k.tag, str) and rank.get(k.tag, -1) > mine]
        index = later[0] if later else len(kids)
    insert_at(parent, index, child)


def remove_keep_layout(el: etree._Element) -> None:
    """Remove el; its preceding whitespace stays correct for whatever follows."""
    parent = el.getparent()
    prev = el.getprevious()
    if el.getnext() is None and _is_blank(el.tail):
        # Last child: the previous node's tail must become the closing indentation.
        if prev is not None and _is_blank(prev.tail):
            prev.tail = el.tail
        elif prev is None and _is_blank(parent.text):
            parent.text = None
    elif el.tail and not _is_blank(el.tail):
        # Keep mixed content (rare in domain XML) rather than dropping text.
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def is_empty(el: etree._Element, ignore: set[str] = frozenset()) -> bool:
    """No content at all, apart from the attributes named in ignore."""
    return set(el.attrib) <= ignore and len(el) == 0 and _is_blank(el.text)
