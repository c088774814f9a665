"""XML-aware comparison: what differs between two domains, ignoring what does not matter.

Whitespace, attribute order and quoting never matter. The direct children of <domain> may be
compared as a set (libvirt writes them in its own order); everything below keeps its order.
Comments count: a tool that drops them loses what people wrote.
"""

from __future__ import annotations

from lxml import etree


def _text(t: str | None) -> str:
    return (t or "").strip()


def _label(node) -> str:
    if isinstance(node.tag, str):
        return node.tag
    return "<!--comment-->" if node.tag is etree.Comment else "<?pi?>"


def _key(node) -> str:
    """A canonical serialisation of a subtree, for matching reordered children."""
    return "|".join(_walk(node))


def _walk(node):
    if node.tag is etree.Comment:
        yield f"#c:{_text(node.text)}"
        return
    if not isinstance(node.tag, str):
        yield f"#pi:{node.target}:{_text(node.text)}"
        return
    yield f"<{node.tag} {sorted(node.attrib.items())} {_text(node.text)!r}"
    for child in node:
        yield from _walk(child)
        yield f"~{_text(child.tail)!r}"
    yield ">"


def differences(a: etree._Element, b: etree._Element, reorder_top: bool = True, limit: int = 20) -> list[str]:
    """Human-readable differences; empty when the two are equivalent."""
    out: list[str] = []
    for side, sa, sb in (
        ("before", a.itersiblings(preceding=True), b.itersiblings(preceding=True)),
        ("after", a.itersiblings(), b.itersiblings()),
    ):
        notes_a, notes_b = [_key(n) for n in sa], [_key(n) for n in sb]
        if notes_a != notes_b:
            out.append(f"comments {side} the root element: {notes_a} became {notes_b}")
    if a.nsmap != b.nsmap:
        out.append(f"namespace declarations {a.nsmap} became {b.nsmap}")
    _diff(a, b, a.getroottree().getpath(a), out, reorder_top)
    return out[:limit]


def _diff(a, b, path, out, reorder_children):
    if _label(a) != _label(b):
        out.append(f"{path}: <{_label(a)}> became <{_label(b)}>")
        return
    if not isinstance(a.tag, str):
        if _text(a.text) != _text(b.text):
            out.append(f"{path}: comment {_text(a.text)!r} became {_text(b.text)!r}")
        return
    if dict(a.attrib) != dict(b.attrib):
        for k in sorted(set(a.attrib) | set(b.attrib)):
            if a.get(k) != b.get(k):
                out.append(f"{path}/@{k}: {a.get(k)!r} became {b.get(k)!r}")
    if _text(a.text) != _text(b.text):
        out.append(f"{path}: text {_text(a.text)!r} became {_text(b.text)!r}")
    ka, kb = list(a), list(b)
    tails_a = [_text(c.tail) for c in ka if _text(c.tail)]
    tails_b = [_text(c.tail) for c in kb if _text(c.tail)]
    if tails_a != tails_b:
        out.append(f"{path}: text between children {tails_a!r} became {tails_b!r}")
    if reorder_children:
        sa, sb = sorted(map(_key, ka)), sorted(map(_key, kb))
        if sa != sb:
            missing = [_label(c) for c in ka if _key(c) not in set(sb)]
            added = [_label(c) for c in kb if _key(c) not in set(sa)]
            for c in ka:
                if _key(c) not in set(sb):
                    twin = next((d for d in kb if _label(d) == _label(c) and _key(d) not in set(sa)), None)
                    if twin is not None:
                        _diff(c, twin, f"{path}/{_label(c)}", out, False)
                        missing.remove(_label(c))
                        added.remove(_label(c))
            if missing:
                out.append(f"{path}: lost {missing}")
            if added:
                out.append(f"{path}: gained {added}")
        return
    if [_label(c) for c in ka] != [_label(c) for c in kb]:
        out.append(f"{path}: children {[_label(c) for c in ka]} became {[_label(c) for c in kb]}")
        return
    counts: dict[str, int] = {}
    for ca, cb in zip(ka, kb, strict=False):
        lab = _label(ca)
        counts[lab] = counts.get(lab, 0) + 1
        _diff(ca, cb, f"{path}/{lab}[{counts[lab]}]", out, False)
