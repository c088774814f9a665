"""A domain is stored as a template (the domain without its devices) plus one XML per device.

``split`` takes a whole domain apart that way; ``assemble`` puts it back together. Everything
that is not a device (the emulator, comments, unknown elements, other namespaces) stays in the
template where it was, so split + assemble gives back the same document.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from . import layout
from .elements import DEVICES
from .parse import parse_xml
from .spec import Section

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
    """(template XML, [device XML, ...]) of a domain; the tree given is not changed."""
    work = etree.fromstring(etree.tostring(root.getroottree()))
    devices_xml = []
    container = work.find("devices")
    if container is not None:
        for node in [n for n in container if is_device(n)]:
            devices_xml.append(to_string(node))
            layout.remove_keep_layout(node)
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
        layout.insert_at(container, len(container), parse_xml(xml, **kw))
    return root


def device_class(node: etree._Element):
    """The declaration for a device node, or None for a kind the engine does not declare."""
    return DEVICES.get(node.tag) if isinstance(node.tag, str) else None
