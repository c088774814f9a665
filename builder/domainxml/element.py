"""Element declarations: a class per libvirt element (or per part of <domain>) lists its fields.

    class Disk(Device):
        tag = "disk"
        section = "elementsDisks"
        type = Attr("@type", Choice("file", "block"), label="Source type")
        source_file = Attr("source/@file", Path(), label="File", when={"type": ("file",)})

An instance is a view over a node of a kept lxml tree: reading takes values out, ``apply``
writes only the values that differ, so anything the declarations do not know stays untouched.
The order in which fields are declared is also the order in which missing child elements are
created, so there is no separate list of element order to keep in step.
"""

from __future__ import annotations

from typing import Any, ClassVar

from lxml import etree

from .fields import Field, Many

# Child-element order per scope and parent path, gathered from the declarations themselves.
_ORDERS: dict[str, dict[tuple[str, ...], list[str]]] = {}


def _add_order(scope: str, fields) -> None:
    orders = _ORDERS.setdefault(scope, {})
    for f in fields:
        tags = [s.tag for s in f.steps]
        for depth, tag in enumerate(tags):
            seq = orders.setdefault(tuple(tags[:depth]), [])
            if tag not in seq:
                seq.append(tag)


def set_domain_order(sections, devices) -> None:
    """The order of <domain>'s children is that of the sections given, then devices by tag."""
    _ORDERS["domain"] = {}
    _add_order("domain", [f for cls in sections for f in cls.fields.values()])
    _ORDERS["domain"].setdefault(("devices",), []).extend(devices)


class InvalidValues(ValueError):
    """Values a form must not write; ``errors`` maps field names to reasons."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Element:
    do_not_call_in_templates = True  # a template reads the class's label, it does not make one
    tag: ClassVar[str]
    label: ClassVar[str] = ""
    section: ClassVar[str] = ""  # anchor of the 2008 spec's section that documents the element
    # ids of the sections of libvirt's current formatdomain.html that document it, most specific
    # first; the first is where tooltips link to (see docs.py)
    doc_sections: ClassVar[tuple[str, ...]] = ()
    scope: ClassVar[str] = ""  # classes sharing a scope share one child order (all parts of <domain>)
    fields: ClassVar[dict[str, Field]] = {}

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        own = {k: v for k, v in vars(cls).items() if isinstance(v, Field)}
        cls.fields = {**getattr(cls, "fields", {}), **own}
        for name, f in own.items():
            f.name, f.owner = name, cls
        cls.scope = cls.scope or getattr(cls, "tag", "")
        if cls.scope:  # not an abstract base such as Device
            _add_order(cls.scope, cls.fields.values())

    def __init__(self, node: etree._Element):
        if node.tag != self.tag:
            raise ValueError(f"{type(self).__name__} needs <{self.tag}>, got <{node.tag}>")
        self.node = node

    @classmethod
    def order_below(cls, node: etree._Element, root: etree._Element) -> list[str]:
        key = []
        while node is not root:
            key.append(node.tag)
            node = node.getparent()
        return _ORDERS[cls.scope].get(tuple(reversed(key)), [])

    @classmethod
    def new(cls, values: dict[str, Any] | None = None) -> Element:
        obj = cls(etree.Element(cls.tag))
        if values:
            obj.apply(values)
        return obj

    def __getitem__(self, name: str):
        return self.fields[name].read(self.node)

    def __setitem__(self, name: str, value) -> None:
        self.fields[name].write(self.node, value)

    def raw_values(self) -> dict[str, Any]:
        """Every field as it is in the XML, whether or not it applies."""
        return {name: f.read(self.node) for name, f in self.fields.items()}

    def values(self) -> dict[str, Any]:
        """The fields that apply (by their `when`); the others read as None."""
        raw = self.raw_values()
        return {name: (v if self.fields[name].relevant(raw) else None) for name, v in raw.items()}

    def apply(self, values: dict[str, Any]) -> list[str]:
        """Write the given values, touching only those that differ; returns the changed names.

        Every changed value is checked by its converter first: if any is refused, nothing is
        written and InvalidValues says why, field by field. When a value that others depend on
        changes (a disk's type from file to block), the fields that no longer apply are removed
        first, so no stale part is left behind for libvirt to trip over. Values given for fields
        that do not apply are not written.
        """
        before = self.raw_values()
        wanted = {name: self._normal(name, v) for name, v in values.items() if not self.fields[name].readonly}
        wanted = {k: v for k, v in wanted.items() if not _same(before[k], v)}
        # A value for a field that will not apply (a file path once the disk is a block device)
        # is neither checked nor written.
        after = {**before, **wanted}
        wanted = {k: v for k, v in wanted.items() if self.fields[k].relevant(after)}
        errors = {}
        for name, value in wanted.items():
            if value not in (None, []):
                try:
                    wanted[name] = self.fields[name].clean(value)
                except ValueError as e:
                    errors[name] = str(e)
        if errors:
            raise InvalidValues(errors)
        after = {**before, **wanted}
        changed = []
        for name, f in self.fields.items():
            if f.when and f.relevant(before) and not f.relevant(after) and not _same(before[name], None):
                f.write(self.node, None)
                changed.append(name)
        for name, f in self.fields.items():  # declaration order: the XML reads the same whoever wrote it
            if name not in wanted:
                continue
            value = wanted[name]
            if not f.relevant(after) or _same(f.read(self.node), value):
                continue
            f.write(self.node, value)
            changed.append(name)
        return changed

    def _normal(self, name: str, value):
        """Values as the XML spells them: Python values (True, 4) become their text."""
        conv = self.fields[name].conv
        if isinstance(self.fields[name], Many):
            return [conv.to_text(v) for v in (value or []) if v not in (None, "")]
        return None if value in (None, "") else conv.to_text(value)

    def relevant_fields(self) -> list[Field]:
        raw = self.raw_values()
        return [f for f in self.fields.values() if f.relevant(raw)]


def _same(current, value) -> bool:
    if current in (None, "", []) and value in (None, "", []):
        return True
    return current == value


class Section(Element):
    """A part of <domain> itself (General, OS, Resources ...): fields are paths below <domain>."""

    tag = "domain"
    scope = "domain"


class Device(Element):
    """A child of <devices>."""

    # Values of a new device of this kind, as "Add device" makes it: enough for libvirt to accept.
    starter: ClassVar[dict[str, Any]] = {}
    # Fields that must differ between guests: a profile (shared by many guests) leaves them out.
    per_guest: ClassVar[tuple[str, ...]] = ()
    # At most one per domain (libvirt refuses a second <watchdog>): "Add device" offers no second.
    only_one: ClassVar[bool] = False

    @classmethod
    def may_add(cls, existing_tags) -> bool:
        """Whether a domain whose devices have these tags may take one more of this kind."""
        return not (cls.only_one and cls.tag in existing_tags)

    def summary(self) -> str:
        """One line for listings; devices override it with what tells them apart."""
        return self.label

    @classmethod
    def fresh(cls, siblings: list[etree._Element]) -> Device:
        """A new device of this kind that does not clash with the domain's other devices."""
        return cls.new(dict(cls.starter))
