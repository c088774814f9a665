"""Field declarations: where a value lives in the XML, what it may be, how to explain it.

A field is declared once, on an element class (see ``element.py``), with a small relative path:

    "@type"                       attribute of the element itself
    "source/@file"                attribute of a child (created on write when missing)
    "source[@mode='connect']/@host"  a child picked (and created) by an attribute value
    "name"                        text of a child            (``Text``)
    "features/pae"                presence of a child         (``Flag``)
    "boot/@dev"                   one value per repeated child (``Many``)

From the same declaration come the reader, the writer, the form field and the
tooltip key. Values travel as strings, the way they are in the XML; a converter checks and
normalises them (``clean``) and can turn them into Python values (``to_python``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import layout

# The converters live in converters.py; element declarations import them from here with the fields.
from .converters import (  # noqa: F401  (re-exported)
    NOT_XML,
    PARAMETER,
    PARAMETER_NAME,
    Choice,
    Converter,
    Ignored,
    Int,
    Mac,
    OnOff,
    Path,
    Rejected,
    Str,
    Uuid,
    YesNo,
)

# -- paths --------------------------------------------------------------------------------

_STEP = re.compile(r"(?P<tag>[A-Za-z_][\w.-]*)(?P<preds>(\[@[\w-]+='[^']*'\])*)")
_PRED = re.compile(r"\[@([\w-]+)='([^']*)'\]")


@dataclass(frozen=True)
class Step:
    tag: str
    preds: tuple[tuple[str, str], ...] = ()

    def matches(self, el: etree._Element) -> bool:
        return el.tag == self.tag and all(el.get(k) == v for k, v in self.preds)

    def new(self) -> etree._Element:
        el = etree.Element(self.tag)
        for k, v in self.preds:
            el.set(k, v)
        return el


def parse_path(path: str) -> tuple[tuple[Step, ...], str | None]:
    """'source[@mode='bind']/@host' -> ((Step('source', (('mode','bind'),)),), 'host')."""
    parts = path.split("/") if path else []
    attr = None
    if parts and parts[-1].startswith("@"):
        attr = parts.pop()[1:]
    steps = []
    for part in parts:
        m = _STEP.fullmatch(part)
        if not m:
            raise ValueError(f"bad field path {path!r}")
        steps.append(Step(m["tag"], tuple(_PRED.findall(m["preds"]))))
    return tuple(steps), attr


def _find(node: etree._Element, step: Step) -> etree._Element | None:
    for child in node.iterchildren(step.tag):  # lxml picks the tag (fields are read on every preview)
        if all(child.get(k) == v for k, v in step.preds):
            return child
    return None


def descend(el, steps, create, owner):
    """Follow steps below el; with create, make missing elements at their declared place."""
    node = el
    for step in steps:
        child = _find(node, step)
        if child is None:
            if not create:
                return None
            child = step.new()
            layout.insert_ordered(node, child, owner.order_below(node, el))
        node = child
    return node


def prune(el, node, steps) -> None:
    """Remove the elements of a path from node upwards while nothing is left in them but the
    attributes that select them (the mode='connect' of source[@mode='connect'])."""
    depth = len(steps)
    while node is not el and depth > 0:
        if not layout.is_empty(node, ignore={k for k, _ in steps[depth - 1].preds}):
            return
        parent = node.getparent()
        layout.remove_keep_layout(node)
        node, depth = parent, depth - 1


# -- fields -------------------------------------------------------------------------------


@dataclass(eq=False)
class Field:
    """One value of an element. Subclasses say whether it is an attribute, text, flag or list."""

    path: str
    conv: Converter = field(default_factory=Str)
    label: str = ""
    help: str = ""  # the project's own short summary, shown when the spec has no entry
    default: str | None = None  # what libvirt assumes when the value is absent
    required: bool = False
    when: dict[str, tuple[str, ...]] | None = None  # only relevant when another field has one of these values
    required_when: dict[str, tuple[str, ...]] | None = None  # libvirt refuses the element without it then
    doc: tuple[str, str] | None = None  # (parent element, name) in the spec, when not derived from path
    wrong_in_2008: bool = False  # the 2008 spec misleads here (FACTS.md): its text gives way to `help`
    readonly: bool = False  # shown, never written (the id of a running guest)
    # A second place libvirt keeps the same value in (graphics listen= and <listen address=>):
    # read when the first is absent, and kept in step on write wherever it already exists.
    mirror: str | None = None
    # Filled in by the element class:
    name: str = ""
    owner: Any = None

    def __post_init__(self):
        self.steps, self.attr = parse_path(self.path)
        self.mirror_steps, self.mirror_attr = parse_path(self.mirror) if self.mirror else ((), None)

    @property
    def key(self) -> str:
        """Declaring class and name, e.g. 'Interface.mac': how problems and tests name a field."""
        return f"{self.owner.__name__}.{self.name}"

    # Where the spec documents this field: the element that carries it and its own name.
    @property
    def doc_key(self) -> tuple[str, str]:
        if self.doc:
            return self.doc
        own = getattr(self.owner, "tag", None) or self.owner.scope  # a shared base: its scope, e.g. chardev
        if self.attr:
            parent = self.steps[-1].tag if self.steps else own
            return parent, self.attr
        parent = self.steps[-2].tag if len(self.steps) > 1 else own
        return parent, self.steps[-1].tag

    @property
    def choices(self) -> tuple[str, ...]:
        return self.conv.choices

    def relevant(self, values: dict[str, Any]) -> bool:
        """Whether the field applies, given the values of the fields it depends on (or their defaults)."""
        return self._matches(self.when, values)

    def is_required(self, values: dict[str, Any]) -> bool:
        """Required always, or for some values of others (a file disk needs its file)."""
        return self.required or (bool(self.required_when) and self._matches(self.required_when, values))

    def _matches(self, conditions, values) -> bool:
        if not conditions:
            return True
        fields = self.owner.fields
        return all((values.get(k) or fields[k].default) in v for k, v in conditions.items())

    def clean(self, value):
        return self.clean_one(value)

    def clean_one(self, value: str) -> str:
        if NOT_XML.search(value):
            raise ValueError("contains a control character, which XML cannot hold")
        if PARAMETER.search(value):
            return value  # a template parameter: checked once a render has filled it in
        return self.conv.clean(value)

    def _node(self, el: etree._Element, create: bool = False) -> etree._Element | None:
        return descend(el, self.steps, create, self.owner)

    def read(self, el: etree._Element):
        raise NotImplementedError

    def write(self, el: etree._Element, value) -> None:
        raise NotImplementedError


class Attr(Field):
    """An attribute value (the path ends in @name)."""

    def __post_init__(self):
        super().__post_init__()
        assert self.attr, f"Attr path needs @attribute: {self.path}"

    def read(self, el):
        node = self._node(el)
        if node is not None and self.attr in node.attrib:
            return node.get(self.attr)
        if self.mirror:
            twin = descend(el, self.mirror_steps, False, self.owner)
            return None if twin is None else twin.get(self.mirror_attr)
        return None

    def write(self, el, value):
        if self.mirror:
            twin = descend(el, self.mirror_steps, False, self.owner)
            if twin is not None:
                _set_attr(el, twin, self.mirror_steps, self.mirror_attr, value)
        node = self._node(el, create=value not in (None, ""))
        if node is not None:
            _set_attr(el, node, self.steps, self.attr, value)


def _set_attr(el, node, steps, attr, value) -> None:
    if value in (None, ""):
        if attr in node.attrib:
            del node.attrib[attr]
            prune(el, node, steps)
    else:
        node.set(attr, value)


class Text(Field):
    """The text of a child element; clearing it removes the element (and its unit, placement ...)."""

    def read(self, el):
        node = self._node(el)
        if node is None:
            return None
        # Text split by a comment (<memory><!-- half -->524288</memory>) is still one value.
        return "".join([node.text or "", *(c.tail or "" for c in node)]).strip()

    def write(self, el, value):
        node = self._node(el, create=value not in (None, ""))
        if node is None:
            return
        if value in (None, ""):
            parent = node.getparent()
            layout.remove_keep_layout(node)
            prune(el, parent, self.steps[:-1])
            return
        node.text = value
        for child in node:  # comments stay; the old text around them goes
            child.tail = None


class Flag(Field):
    """Presence of an empty child element, such as <features><acpi/></features>."""

    def __init__(self, path, **kw):
        kw.setdefault("conv", YesNo())
        super().__init__(path, **kw)

    def read(self, el):
        return "yes" if self._node(el) is not None else "no"

    def write(self, el, value):
        node = self._node(el)
        on = value in ("yes", True)
        if on and node is None:
            self._node(el, create=True)
        elif not on and node is not None:
            parent = node.getparent()
            layout.remove_keep_layout(node)
            prune(el, parent, self.steps[:-1])


class Many(Field):
    """One attribute value per repeated child, in document order (os/boot/@dev)."""

    def _nodes(self, el):
        *head, last = self.steps
        node = el
        for step in head:
            node = _find(node, step)
            if node is None:
                return None, []
        return node, [c for c in node if isinstance(c.tag, str) and last.matches(c)]

    def read(self, el):
        _, nodes = self._nodes(el)
        return [n.get(self.attr) for n in nodes]

    def clean(self, value):
        return [self.clean_one(v) for v in value]

    def write(self, el, values):
        values = [v for v in (values or []) if v]
        parent, nodes = self._nodes(el)
        # Reuse the existing elements in place so their other attributes and position survive.
        for node, value in zip(nodes, values, strict=False):
            node.set(self.attr, value)
        for node in nodes[len(values) :]:
            layout.remove_keep_layout(node)
        extra = values[len(nodes) :]
        if extra:
            if parent is None:
                parent = descend(el, self.steps[:-1], True, self.owner)
            for value in extra:
                child = self.steps[-1].new()
                child.set(self.attr, value)
                layout.insert_ordered(parent, child, self.owner.order_below(parent, el))
        elif not values and parent is not None and parent is not el:
            prune(el, parent, self.steps[:-1])
