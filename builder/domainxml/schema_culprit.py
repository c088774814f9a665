"""Which part of a document libvirt's schema refuses, and how to say so.

libxml2's RelaxNG messages rarely name the culprit ("Extra element devices in interleave"), so a
failing document is narrowed down by taking parts out of it until it validates: the part whose
removal makes it valid is the one to report. The document is changed while searching and put
back as it was, unless time runs out in the middle (see validate._narrow_all). Every try
validates the whole document, so a search is bounded by its deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from lxml import etree

BASE_ELEMENTS = frozenset({"name", "memory"})  # enough for libvirt's schema to accept a <domain>

Found = tuple[etree._Element, str | None]  # (element, attribute or None)


class OutOfTime(Exception):
    pass


@dataclass(frozen=True)
class _Search:
    root: etree._Element
    schema: etree.RelaxNG
    deadline: float


def _valid(s: _Search) -> bool:
    if time.monotonic() > s.deadline:
        raise OutOfTime
    return s.schema.validate(s.root)


def _valid_without(s: _Search, el: etree._Element, child: etree._Element) -> bool:
    i = el.index(child)
    el.remove(child)
    ok = _valid(s)
    el.insert(i, child)
    return ok


def _valid_without_attr(s: _Search, el: etree._Element, name: str) -> bool:
    value = el.attrib.pop(name)
    ok = _valid(s)
    el.set(name, value)
    return ok


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]  # not comments or processing instructions


def _narrow(s: _Search, el: etree._Element) -> Found:
    """The attribute or descendant of `el` at fault, or `el` itself."""
    for name in list(el.attrib):
        if _valid_without_attr(s, el, name):
            return el, name
    kids = _elements(el)
    for child in kids:
        if _valid_without(s, el, child):
            return _narrow(s, child)
    if len(kids) > 1:
        return _alone(s, el, kids, keep=()) or (el, None)
    return el, None


def _fails_beside_base(s: _Search, child: etree._Element) -> bool:
    """Whether `child` still fails with <domain> cut down to it and the BASE_ELEMENTS."""
    out = [(s.root.index(c), c) for c in _elements(s.root) if c is not child and c.tag not in BASE_ELEMENTS]
    for _, c in out:
        s.root.remove(c)
    ok = _valid(s)
    for index, c in out:
        s.root.insert(index, c)
    return not ok


def _root_attribute(s: _Search, el: etree._Element) -> Found | None:
    """When the skeleton itself fails: a root attribute whose removal makes it valid."""
    if el is not s.root:
        return None
    return next(((el, name) for name in list(el.attrib) if _valid_without_attr(s, el, name)), None)


def _first_failing(s: _Search, el: etree._Element, out: list[tuple[int, etree._Element]]) -> Found | None:
    """Put each child back on its own; narrow into the first that makes `el` fail."""
    for index, child in out:
        el.insert(index, child)
        failed = not _valid(s)
        found = _narrow(s, child) if failed else None
        el.remove(child)
        if failed:
            return found
    return None


def _alone(s: _Search, el: etree._Element, kids: list[etree._Element], keep) -> Found | None:
    """Several children are wrong (two bad devices): try each on its own, beside `keep` only."""
    out = [(el.index(c), c) for c in kids if c.tag not in keep]
    for _, child in out:
        el.remove(child)
    found = _first_failing(s, el, out) if _valid(s) else _root_attribute(s, el)
    for index, child in out:
        el.insert(index, child)
    return found


def culprit(root: etree._Element, schema: etree.RelaxNG, deadline: float) -> Found | None:
    """(element, attribute or None) whose removal makes the document valid, searched top down.

    Raises OutOfTime once `deadline` (time.monotonic()) has passed.
    """
    s = _Search(root, schema, deadline)
    for name in list(root.attrib):
        if _valid_without_attr(s, root, name):
            return root, name
    kids = _elements(root)
    for child in kids:
        # libxml2's interleave can pass once any element is gone: blame a part only if it fails
        # beside <name> and <memory> alone too.
        if _valid_without(s, root, child) and (child.tag in BASE_ELEMENTS or _fails_beside_base(s, child)):
            return _narrow(s, child)
    # Several faulty parts of <domain> (a bad <vcpu> and a bad <cpu>): try each part on its own
    # beside the few that every domain has, and narrow into the first that fails there.
    return _alone(s, root, kids, keep=BASE_ELEMENTS)


def _shown(name: str, value: str) -> str:
    """Attribute values as messages show them: passwords never."""
    return "..." if "passw" in name.lower() else value


def describe(el: etree._Element, attr: str | None) -> str:
    """What the schema refuses in a culprit, in words."""
    tag = etree.QName(el).localname
    if attr is not None:
        return f"attribute {attr}='{_shown(attr, el.get(attr))}' is not accepted on <{tag}> by libvirt's schema"
    text = (el.text or "").strip()
    if len(el) == 0 and not el.attrib and text:
        return f"<{tag}> with value '{text}' is not accepted by libvirt's schema"
    if el.attrib and len(el) == 0:
        attrs = " ".join(f"{k}='{_shown(k, v)}'" for k, v in el.attrib.items())
        return (
            f"<{tag} {attrs}> is not accepted by libvirt's schema: a value has the wrong form, "
            "or a required attribute is missing"
        )
    return (
        f"<{tag}> is not accepted here by libvirt's schema (an unknown element, a newer one than "
        "the installed libvirt knows, or a required part of it is missing)"
    )
