"""Which entry of the spec page documents a declared field: candidates by name inside the
sections the field's element declares, ranked by parent element and by kind of entry."""

from __future__ import annotations

from .entries import KINDS, Entry


class Index:
    """Entries of one page, ready to answer which one documents a field.

    Candidates are the entries with the field's name whose section lies inside one of the
    sections its element declares; the best is the one with the field's own parent element, of
    the best kind, in the earliest declared section, first on the page. An element-valued field
    (``<name>``, ``<features><pae/>``) also takes a definition whose parent the page leaves open.

    What is said for some values of the element's attribute only (``Entry.scope``) is taken for
    a field that exists for those values alone (see ``holds_for``). A field for several values
    gets it only when the page says something for each of them: one text if they all say the
    same, else each labelled with its value ("vnc: ... spice: ...").
    """

    def __init__(self, entries):
        self.by_name: dict[str, list] = {}
        for e in entries:
            self.by_name.setdefault(e.name, []).append(e)

    def find(self, fld):
        parent, name = fld.doc_key
        parents = {parent, *doc_parents(fld.owner, parent)}
        anchors = [*fld.owner.doc_sections, fld.owner.section]
        ranked = []
        for e in self.by_name.get(name, ()):
            where = [anchors.index(a) for a in e.section.split("/") if a in anchors]
            exact = e.parent in parents
            if where and (exact or (e.parent == "" and not fld.attr)):
                ranked.append(((not exact, KINDS.index(e.kind), min(where), e.position), e))
        ranked.sort(key=lambda pair: pair[0])
        general = [e for _, e in ranked if holds_for(fld, e.scope)]
        best = next((e for e in general if e.kind != "lifted"), None)
        # a sentence lifted out of one value's subsection only fills a gap (see _Reader.prose)
        return best or _per_value(fld, [e for _, e in ranked]) or next(iter(general), None)


def _controlling(fld) -> tuple[str, tuple[str, ...]] | None:
    """The attribute of the field's own element that `when` depends on, and the values it lists."""
    for key, wanted in (fld.when or {}).items():
        ctl = fld.owner.fields.get(key)
        if ctl is not None and ctl.attr and not ctl.steps:
            return ctl.attr, wanted
    return None


def _scope_values(scope: str) -> dict[str, set[str]]:
    return {attr: set(values.split(",")) for attr, _, values in (c.partition("=") for c in scope.split())}


def holds_for(fld, scope: str) -> bool:
    """Whether what a subsection says for some values of the element's attribute ("type=mcast")
    holds for the field: only if the field is declared for those values alone (``when``). A
    field for mcast, server and client is not described by the multicast subsection, nor a
    field for every type by any one type's subsection."""
    if not scope:
        return True
    control = _controlling(fld)
    said = _scope_values(scope)
    return control is not None and set(said) == {control[0]} and set(control[1]) <= said[control[0]]


def _per_value(fld, ranked: list):
    """One entry for each value the field is declared for, best first, combined: the text
    itself when all say the same, else each labelled with its values."""
    control = _controlling(fld)
    if control is None:
        return None
    attr, wanted = control
    chosen = {}
    for value in wanted:
        entry = next((e for e in ranked if _fits(e.scope, attr, value, wanted)), None)
        if entry is None:
            return None
        chosen.setdefault(id(entry), (entry, []))[1].append(value)
    parts = list(chosen.values())
    first = parts[0][0]
    texts = {e.text for e, _ in parts}
    text = texts.pop() if len(texts) == 1 else " ".join(f"{', '.join(values)}: {e.text}" for e, values in parts)
    since = {e.since for e, _ in parts}
    common = []  # the innermost section holding them all
    for anchors in zip(*(e.section.split("/") for e, _ in parts), strict=False):
        if len(set(anchors)) > 1:
            break
        common.append(anchors[0])
    section = "/".join(common)
    return Entry(
        section,
        first.parent,
        first.name,
        text,
        since.pop() if len(since) == 1 else "",
        common[-1] if common else first.anchor,
        first.kind,
        first.position,
        f"{attr}={','.join(wanted)}",
    )


def _fits(scope: str, attr: str, value: str, wanted) -> bool:
    said = _scope_values(scope)
    return set(said) == {attr} and value in said[attr] and said[attr] <= set(wanted)


def doc_parents(owner, parent: str) -> set[str]:
    """A base shared by several elements (chardev for serial, parallel, console) stands for
    each of them."""
    if getattr(owner, "tag", None) or parent != owner.scope:
        return set()
    return {getattr(sub, "tag", "") for sub in owner.__subclasses__()} - {""}


def field_anchor(fld) -> str:
    """Where libvirt's page documents the field's element: the first section it declares."""
    sections = fld.owner.doc_sections
    return sections[0] if sections else ""
