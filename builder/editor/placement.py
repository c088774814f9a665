"""How the editor shows a domain: a one-glance summary, problems placed at fields.

The XML itself is sent as plain (escaped) text; the page colours it (static/js/editor.js).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from builder.domainxml.element import Section
from builder.domainxml.elements import Resources, all_elements
from builder.domainxml.elements.resources import to_bytes
from builder.domainxml.validate import Problem
from builder.editor.forms import form_names


@dataclass
class Summary:
    vcpus: str
    memory: str
    disks: int
    nics: int
    boot: str
    consoles: int


def summary(root: etree._Element) -> Summary:
    res = Resources(root)
    try:
        size = to_bytes(res["memory"], res["memory_unit"])
    except (ValueError, IndexError):
        size = None
    memory = _human(size) if size else "not set"
    devices = root.find("devices")
    tags = [d.tag for d in devices] if devices is not None else []
    boot = [b.get("dev", "?") for b in root.iterfind("os/boot")]
    per_device = sorted(
        (int(b.get("order")), b.getparent().tag)
        for b in root.iterfind("devices/*/boot[@order]")
        if b.get("order", "").isdigit()
    )
    order = ", ".join(boot) or ", ".join(tag for _, tag in per_device) or "libvirt's default"
    return Summary(
        vcpus=res["vcpu"] or "1",
        memory=memory,
        disks=tags.count("disk"),
        nics=tags.count("interface"),
        boot=order,
        consoles=sum(tags.count(t) for t in ("console", "serial")),
    )


def _human(size: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor and size % (factor // 16 or 1) == 0:
            value = size / factor
            return f"{value:g} {unit}"
    return f"{size} bytes"


_DEVICE_STEP = re.compile(r"^/domain/devices/([\w:-]+)(?:\[(\d+)\])?")
# Every declared field by the key problems name it by ("Boot.machine", "CharDevice.target_port").
_FIELDS = {f.key: f for cls in all_elements() for f in cls.fields.values()}


def field_of(problem: Problem, root: etree._Element, slot_prefixes: list[str]) -> str | None:
    """The form field id (prefix-name) a problem belongs to, when it concerns a declared field.

    A section's field is found by its declaration wherever the problem points (<emulator> is
    written in <devices>, a boot order clash is found at a disk); a device's, by the device in
    the problem's path. A field with several inputs (boot order) gets the first, as the form's
    own errors do.
    """
    f = _FIELDS.get(problem.field)
    if f is None:
        return None
    name = form_names(f)[0]
    if issubclass(f.owner, Section):
        return f"{f.owner.__name__.lower()}-{name}"  # the editor's section prefix
    prefix = _device_prefix(problem.path, root, slot_prefixes)
    return f"{prefix}-{name}" if prefix else None


def _device_prefix(path: str, root: etree._Element, slot_prefixes: list[str]) -> str | None:
    """The slot prefix of the device a path leads into (/domain/devices/disk[2]/target)."""
    m = _DEVICE_STEP.match(path or "")
    if not m:
        return None
    tag, nth = m[1], int(m[2] or 1)
    devices = [d for d in root.find("devices") if isinstance(d.tag, str) and d.tag != "emulator"]
    same = [i for i, d in enumerate(devices) if d.tag == tag]
    if nth > len(same) or same[nth - 1] >= len(slot_prefixes):
        return None
    return slot_prefixes[same[nth - 1]]
