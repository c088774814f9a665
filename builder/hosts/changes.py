"""What libvirt changed: the domain XML we sent against what a host gives back after a define.

After ``defineXMLFlags(sent, VIR_DOMAIN_DEFINE_VALIDATE)`` the app reads back
``XMLDesc(VIR_DOMAIN_XML_INACTIVE)``. libvirt always fills in a lot (uuid, MACs, addresses, implicit
controllers, a console for a serial, ...) and rewrites some values into a canonical form (memory in
KiB, lower-case MACs, cpusets as ranges, machine aliases expanded). Those are *expected*. What
matters is anything we sent that libvirt did not keep: a dropped element or attribute, or a value
it changed into something that does not mean the same. Those are *problems*.

    classify(sent, returned) -> Changes(expected=[Change, ...], problems=[Change, ...])

Matching: libvirt writes the children of <domain> in its own order and adds devices, so children of
<domain> are paired by tag, and children of <devices> by tag plus an identity (disk target dev,
interface MAC, serial/console target port, graphics type, ...), falling back to their order among
the unmatched ones of the same tag (and, before that, of the same @type). Everything below a
device is paired by tag and order. Element order alone is never reported.

Comments are not part of the domain: libvirt never keeps them, so losing them is one note in
``expected``, not a problem. ``classify`` never raises; XML it cannot read is a single problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from builder.domainxml.elements.resources import unit_scale

__all__ = ["Change", "Changes", "classify"]


@dataclass(frozen=True)
class Change:
    """One difference.

    kind: "added" or "normalised" (expected), "dropped" or "changed" (problems), or "unreadable"
      (a problem: one of the two documents could not be parsed, nothing was compared).
    path: XPath-like location, in the sent document for dropped/changed/normalised, in the
      returned one for added, e.g. /domain/devices/disk[1]/target/@bus.
    text: one sentence for people.
    """

    kind: str
    path: str
    text: str


@dataclass
class Changes:
    expected: list[Change] = field(default_factory=list)  # added + normalised
    problems: list[Change] = field(default_factory=list)  # dropped + changed (+ unreadable)


# Never fetch anything and never expand entities: the returned XML comes from a remote host.
def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True
    )


# --- equivalences -------------------------------------------------------------------------------


def _unit_bytes(unit: str | None) -> int | None:
    """Bytes in one `unit`; spaces around it are forgiven here (a unit of spaces only is not one)."""
    return unit_scale((unit.strip() or unit) if unit else unit)


def _int(value: str | None) -> int | None:
    """Decimal or 0x-hex, as libvirt writes PCI/drive addresses; anything else is not a number."""
    v = (value or "").strip()
    try:
        return int(v, 16) if v.lower().startswith("0x") else int(v, 10)
    except ValueError:
        return None


def _cpuset(value: str | None) -> frozenset[int] | None:
    """'0,1,2,5' and '0-2,5' are the same set; libvirt writes ranges. '^n' excludes n."""
    out: set[int] = set()
    try:
        for part in (value or "").replace(" ", "").split(","):
            if not part:
                continue
            neg = part.startswith("^")
            lo, _, hi = part.lstrip("^").partition("-")
            span = set(range(int(lo), int(hi or lo) + 1))
            out = out - span if neg else out | span
    except ValueError:
        return None
    return frozenset(out)


_CPUSET_ATTRS = {"cpuset", "nodeset", "cpus"}
# libvirt expands a machine alias to the versioned type it stands for on that host.
_MACHINE_ALIASES = {"pc": "pc-i440fx-", "q35": "pc-q35-"}


def _same_value(tag: str, attr: str, a: str, b: str) -> bool:
    """Whether libvirt's rewrite of attribute `attr` from `a` to `b` keeps the meaning."""
    if a == b:
        return True
    if attr in _CPUSET_ATTRS:
        return _cpuset(a) is not None and _cpuset(a) == _cpuset(b)
    if tag == "mac" and attr == "address":
        return a.lower() == b.lower()
    if tag == "type" and attr == "machine":
        return b.startswith(_MACHINE_ALIASES.get(a, a + "-"))
    # Numbers only: "yes"/"on" and similar never match, libvirt does not document them as aliases.
    return _int(a) is not None and _int(a) == _int(b)


_SIZES = {"memory", "currentMemory", "maxMemory", "hard_limit", "soft_limit", "swap_hard_limit", "min_guarantee"}


def _amount(el) -> tuple[str, str | None] | None:
    """The (number, unit) of a size element (<memory>, memtune limits, ...) or a NUMA cell."""
    if el.get("unit") is None and _local(el) not in _SIZES:
        return None
    if _local(el) == "cell":
        return (el.get("memory") or "", el.get("unit"))
    return ((el.text or "").strip(), el.get("unit"))


def _bytes(amount: tuple[str, str | None]) -> int | None:
    number, unit = amount
    scale = _unit_bytes(unit)
    return None if scale is None or _int(number) is None else _int(number) * scale


# --- naming -------------------------------------------------------------------------------------


def _local(el) -> str:
    return etree.QName(el).localname


def _name(el) -> str:
    """The tag as people wrote it: with its prefix when namespaced (qemu:commandline)."""
    return f"{el.prefix}:{_local(el)}" if el.prefix else _local(el)


def _elements(el) -> list:
    # Comments, processing instructions and unexpanded entities are not part of the domain.
    return [c for c in el if isinstance(c.tag, str)]


def _child_path(parent_path: str, parent, child) -> str:
    same = [c for c in _elements(parent) if c.tag == child.tag]
    if len(same) > 1 or _local(parent) == "devices":
        return f"{parent_path}/{_name(child)}[{same.index(child) + 1}]"
    return f"{parent_path}/{_name(child)}"


def _show(el, limit: int = 120) -> str:
    """A one-line sketch of an element: its start tag, its text when short, '...' for the rest."""
    attrs = "".join(f" {etree.QName(k).localname}='{v}'" for k, v in el.attrib.items())
    text = (el.text or "").strip()
    if _elements(el):
        shown = f"<{_name(el)}{attrs}>...</{_name(el)}>"
    elif text:
        shown = f"<{_name(el)}{attrs}>{text if len(text) <= 60 else text[:57] + '...'}</{_name(el)}>"
    else:
        shown = f"<{_name(el)}{attrs}/>"
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# --- matching -----------------------------------------------------------------------------------


def _first(el, path: str, attr: str) -> str | None:
    found = el.find(path)
    return None if found is None else found.get(attr)


def _identity(el) -> tuple | None:
    """A key that names the same device in both documents, or None to match by order."""
    tag = _local(el)
    if tag == "disk":
        key = _first(el, "target", "dev")
    elif tag == "interface":
        mac = _first(el, "mac", "address")
        key = mac.lower() if mac else None
    elif tag in ("serial", "parallel", "console"):
        key = _first(el, "target", "port")
    elif tag == "channel":
        key = _first(el, "target", "name")
    elif tag == "filesystem":
        key = _first(el, "target", "dir")
    elif tag == "graphics":
        key = el.get("type")
    elif tag == "controller":
        key = (el.get("type"), el.get("index")) if el.get("index") is not None else None
    else:
        key = None
    return None if key is None else (el.tag, key)


def _pair(sent_children: list, returned_children: list, devices: bool) -> tuple[list, list, list]:
    """(pairs, dropped, added): pair by identity (devices only), then by @type, then by order."""
    pairs: list[tuple] = []
    left = list(returned_children)
    unmatched = list(sent_children)
    steps = (_identity, lambda e: (e.tag, e.get("type")), lambda e: e.tag) if devices else (lambda e: e.tag,)
    for key in steps:
        still = []
        for s in unmatched:
            k = key(s)
            twin = None if k is None else next((r for r in left if key(r) == k), None)
            if twin is None:
                still.append(s)
            else:
                left.remove(twin)
                pairs.append((s, twin))
        unmatched = still
    return pairs, unmatched, left


# --- comparison ---------------------------------------------------------------------------------


class _Diff:
    def __init__(self) -> None:
        self.out = Changes()

    def add(self, kind: str, path: str, text: str) -> None:
        group = self.out.expected if kind in ("added", "normalised") else self.out.problems
        group.append(Change(kind, path, text))

    def element(self, s, r, s_path: str, r_path: str) -> None:
        if s.tag != r.tag:
            self.add("changed", s_path, f"libvirt replaced <{_name(s)}> with <{_name(r)}>")
            return
        skip = self._special(s, r, s_path)
        self._attributes(s, r, s_path, r_path, skip)
        if "#text" not in skip:
            self._text(s, r, s_path, r_path)
        pairs, dropped, added = _pair(_elements(s), _elements(r), devices=_local(s) == "devices")
        for c in dropped:
            self.add("dropped", _child_path(s_path, s, c), f"libvirt dropped {_show(c)}")
        for c in added:
            self.add("added", _child_path(r_path, r, c), f"libvirt added {_show(c)}")
        for cs, cr in pairs:
            self.element(cs, cr, _child_path(s_path, s, cs), _child_path(r_path, r, cr))

    def _special(self, s, r, path: str) -> set[str]:
        """Rewrites spanning several attributes or text; returns what they already accounted for."""
        a, b = _amount(s), _amount(r)
        if a is not None and b is not None and _bytes(a) is not None and _bytes(b) is not None:
            sb, rb = _bytes(a), _bytes(b)
            was, now, el = f"{a[0]} {a[1] or 'KiB'}", f"{b[0]} {b[1] or 'KiB'}", f"<{_name(s)}>"
            if a[0] == b[0] and _unit_bytes(a[1]) == _unit_bytes(b[1]):
                pass  # only the default unit spelled out
            elif sb == rb:
                self.add("normalised", path, f"libvirt wrote {el} {was} as {now} (same amount)")
            elif 0 < rb - sb < 1024:
                # Documented: sizes are rounded up to whole KiB.
                self.add("normalised", path, f"libvirt rounded {el} {was} up to {now}")
            else:
                self.add("changed", path, f"libvirt changed {el} from {was} to {now}")
            return {"unit", "memory" if _local(s) == "cell" else "#text"}
        # Documented: a numeric adjustment turns utc/localtime into offset='variable' with that basis.
        adjustment = _int(s.get("adjustment"))
        if (
            _local(s) == "clock"
            and s.get("offset") in ("utc", "localtime")
            and r.get("offset") == "variable"
            and adjustment is not None
            and adjustment == _int(r.get("adjustment"))
            and r.get("basis", "utc") == s.get("offset")
        ):
            self.add(
                "normalised",
                path,
                f"libvirt wrote offset='{s.get('offset')}' adjustment='{s.get('adjustment')}' as "
                f"offset='variable' basis='{r.get('basis', 'utc')}' (documented as the same)",
            )
            return {"offset", "adjustment", "basis"}
        return set()

    def _attributes(self, s, r, s_path: str, r_path: str, skip: set[str]) -> None:
        tag = _local(s)
        for k, v in s.attrib.items():
            name = etree.QName(k).localname
            if name in skip:
                continue
            got = r.get(k)
            if got is None:
                self.add("dropped", f"{s_path}/@{name}", f"libvirt dropped {name}='{v}' from <{_name(s)}>")
            elif got != v:
                if _same_value(tag, name, v, got):
                    self.add("normalised", f"{s_path}/@{name}", f"libvirt wrote {name}='{v}' as '{got}'")
                else:
                    self.add(
                        "changed",
                        f"{s_path}/@{name}",
                        f"libvirt changed {name} on <{_name(s)}> from '{v}' to '{got}'",
                    )
        for k, v in r.attrib.items():
            name = etree.QName(k).localname
            if k not in s.attrib and name not in skip:
                self.add("added", f"{r_path}/@{name}", f"libvirt added {name}='{v}' to <{_name(r)}>")

    def _text(self, s, r, s_path: str, r_path: str) -> None:
        a, b = (s.text or "").strip(), (r.text or "").strip()
        if a == b:
            return
        if not a:
            self.add("added", r_path, f"libvirt filled in <{_name(r)}> with '{b}'")
        elif not b:
            self.add("dropped", s_path, f"libvirt dropped the text '{a}' of <{_name(s)}>")
        elif _int(a) is not None and _int(a) == _int(b):
            self.add("normalised", s_path, f"libvirt wrote <{_name(s)}> '{a}' as '{b}'")
        else:
            self.add("changed", s_path, f"libvirt changed <{_name(s)}> from '{a}' to '{b}'")


def _parse(xml) -> etree._Element:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    if not isinstance(data, bytes):
        raise TypeError(f"expected XML text, got {type(xml).__name__}")
    # A str with an encoding declaration is re-encoded as UTF-8 above; strip the stale declaration.
    if isinstance(xml, str):
        data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
    root = etree.fromstring(data, _parser())
    if root is None:
        raise ValueError("empty document")
    return root


def _has_comments(root) -> bool:
    tree = root.getroottree()
    return any(True for _ in tree.iter(etree.Comment)) or any(
        n.tag is etree.Comment for n in (*root.itersiblings(preceding=True), *root.itersiblings())
    )


def classify(sent, returned) -> Changes:
    """Sort what libvirt did to `sent` (the XML we defined) in `returned` (its XMLDesc) into expected
    additions/normalisations and problems (dropped or changed). Never raises."""
    docs = []
    for label, xml in (("sent", sent), ("returned", returned)):
        try:
            docs.append(_parse(xml))
        except Exception as exc:  # any parse failure is reported, never raised
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return Changes(problems=[Change("unreadable", "/", f"the {label} XML could not be read: {reason}")])
    s, r = docs
    diff = _Diff()
    try:
        if _has_comments(s) and not _has_comments(r):
            diff.add("normalised", "/", "comments are not kept by libvirt (they are not part of the domain)")
        diff.element(s, r, f"/{_name(s)}", f"/{_name(r)}")
    except Exception as exc:  # a bug here must not break the page that shows the result
        return Changes(problems=[Change("unreadable", "/", f"the two documents could not be compared: {exc}")])
    return diff.out
