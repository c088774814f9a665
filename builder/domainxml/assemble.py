"""A domain is stored as a template (the domain without its devices) plus one XML per device.

``split`` takes a whole domain apart that way; ``assemble`` puts it back together. Everything
that is not a device (the emulator, comments, unknown elements, other namespaces) stays in the
template where it was, so split + assemble gives back the same document.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from . import layout
from .element import Section
from .elements import DEVICES
from .parse import XMLInputError, parse_stored, parse_xml

# Children of <devices> that describe the container rather than a device.
NOT_A_DEVICE = frozenset({"emulator"})


def is_device(node) -> bool:
    return isinstance(node.tag, str) and node.tag not in NOT_A_DEVICE


def to_string(node: etree._Element) -> str:
    """XML text of a node; for a document's root, with the comments around it."""
    if node.getparent() is None:
        # Comments before and after the root keep lines of their own (lxml keeps no tail for them).
        before = list(reversed(list(node.itersiblings(preceding=True))))
        after = list(node.itersiblings())
        return "\n".join(etree.tostring(n, encoding="unicode", with_tail=False) for n in [*before, node, *after])
    return etree.tostring(node, encoding="unicode", with_tail=False)


def split(root: etree._Element) -> tuple[str, list[str]]:
    """(template XML, [device XML, ...]) of a domain; the tree given is not changed.

    A comment in front of a device travels with it (and those after the last device with the
    last one), so moving or reusing a device keeps the note written about it.
    """
    work = etree.fromstring(etree.tostring(root.getroottree()))
    devices_xml = []
    container = work.find("devices")
    if container is None:
        return to_string(work), devices_xml
    nodes = list(container)
    devices = [i for i, n in enumerate(nodes) if is_device(n)]
    start = 0
    for k, i in enumerate(devices):
        # Notes between the previous element (emulator or device) and this device belong to it.
        lead = i
        while lead > start and not isinstance(nodes[lead - 1].tag, str):
            lead -= 1
        end = i + 1
        if k == len(devices) - 1:
            while end < len(nodes) and not isinstance(nodes[end].tag, str):
                end += 1
        group = nodes[lead:end]
        devices_xml.append("\n".join(etree.tostring(n, encoding="unicode", with_tail=False) for n in group))
        for n in group:
            layout.remove_keep_layout(n)
        start = end
    return to_string(work), devices_xml


def assemble(template_xml: str, devices_xml: Iterable[str], max_bytes: int | None = None) -> etree._Element:
    """One domain tree from a template and its devices, in the order given."""
    kw = {"max_bytes": max_bytes} if max_bytes else {}
    root = parse_xml(template_xml, root_tag="domain", **kw)
    devices_xml = list(devices_xml)
    if not devices_xml:
        return root
    container = root.find("devices")
    if container is None:
        container = etree.Element("devices")
        layout.insert_ordered(root, container, Section.order_below(root, root))
    for xml in devices_xml:
        device = parse_stored(xml)
        before = list(reversed(list(device.itersiblings(preceding=True))))
        for node in [*before, device, *device.itersiblings()]:
            layout.insert_at(container, len(container), node)
    return root


def device_class(node: etree._Element):
    """The declaration for a device node, or None for a kind the engine does not declare."""
    return DEVICES.get(node.tag) if isinstance(node.tag, str) else None


def device_key(xml: str) -> bytes:
    """A device in canonical form (C14N), indentation aside: a device written inside a template sits
    deeper than the same device on its own. Raises XMLInputError for unreadable XML."""
    node = parse_xml(xml)
    for el in node.iter():
        if el.text is not None and not el.text.strip():
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
    return etree.tostring(node, method="c14n")


def same_device(a: str, b: str) -> bool:
    """Whether two device documents are the same element, indentation aside."""
    try:
        return device_key(a) == device_key(b)
    except XMLInputError:  # an unreadable side is not the same as anything
        return False
