"""What the spec page's examples and nested lists tell about an entry: the value or parent element
a name appears with in the XML examples of its part of the page."""

from __future__ import annotations

WRAPPERS = ("_", "domain", "devices")  # what examples are nested in, not what they document


def nested_dls(dd):
    for el in dd.iter("dl"):
        if next(el.iterancestors("dd")) is dd:
            yield el


def example_roots(example) -> list:
    """The element an example is about, and its like beside it (<interface type='server'>,
    then <interface type='client'>)."""
    el = example
    while el is not None and el.tag in WRAPPERS:
        el = next((c for c in el if isinstance(c.tag, str)), None)
    if el is None:
        return []
    parent = el.getparent()
    return [el] if parent is None else [c for c in parent if c.tag == el.tag]


def value_in_examples(name: str, outer: tuple[str, ...], part) -> tuple[str, str]:
    """("graphics", "type=vnc") when a term defined inside the dd of an element is a value the
    examples give one of that element's attributes (<graphics type='vnc'>), else ("", "")."""
    for tag in reversed(outer):
        for ancestor in lineage(part):
            for ex in ancestor.examples():
                for el in ex.iter(tag):
                    attr = next((a for a, v in el.attrib.items() if v == name), None)
                    if attr:
                        return tag, f"{attr}={name}"
    return "", ""


def lineage(part):
    while part is not None:
        yield part
        part = part.parent


def parent_in_examples(name: str, part) -> str:
    """The element a top-level dt sits in, as the section's examples (or those above) show it."""
    while part is not None:
        for ex in part.examples():
            el = next(ex.iter(name), None)
            if el is not None:
                parent = el.getparent()
                return "" if parent is None or parent.tag == "_" else parent.tag
        part = part.parent
    return ""
