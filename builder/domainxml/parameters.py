"""Turning a template into one guest: parameters filled in, identities made unique.

A template may use ${name} in any text or attribute value; `$$` stands for a literal `$`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .elements import General, Interface
from .fields import PARAMETER_NAME, Mac, Uuid

PLACEHOLDER = re.compile(rf"\$(\$|\{{({PARAMETER_NAME})\}})")
NAME = re.compile(PARAMETER_NAME)


def placeholders(root: etree._Element) -> list[str]:
    """Parameter names used in the document, in order of first use."""
    seen: dict[str, None] = {}
    for text in _texts(root):
        for m in PLACEHOLDER.finditer(text):
            if m[2]:
                seen.setdefault(m[2])
    return list(seen)


def substitute(root: etree._Element, values: dict[str, str]) -> list[str]:
    """Replace ${name} everywhere in place; returns the names that had no value (left as they were)."""
    missing: dict[str, None] = {}

    def fill(text: str) -> str:
        def one(m: re.Match) -> str:
            if m[1] == "$":
                return "$"
            if m[2] in values:
                return values[m[2]]
            missing.setdefault(m[2])
            return m[0]

        return PLACEHOLDER.sub(one, text)

    for el in root.iter():
        if el.text and "$" in el.text:
            el.text = fill(el.text)
        if el.tail and "$" in el.tail:
            el.tail = fill(el.tail)
        if isinstance(el.tag, str):
            for k, v in el.attrib.items():
                if "$" in v:
                    el.set(k, fill(v))
    return list(missing)


@dataclass
class Identities:
    """What a render made up: the uuid (if the template had none) and the MACs of NICs without one."""

    uuid: str = ""
    macs: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join([*([f"uuid {self.uuid}"] if self.uuid else []), *(f"MAC {m}" for m in self.macs)])


def fill_identities(root: etree._Element, given: Identities | None = None) -> Identities:
    """Fill an empty or missing uuid and missing MACs: with `given` ones where valid (so a page
    and its download show the same guest), else freshly made."""
    given = given or Identities()
    made = Identities()
    uuid = root.find("uuid")
    if uuid is None or not (uuid.text or "").strip():
        made.uuid = _valid(Uuid(), given.uuid) or Uuid.generate()
        General(root)["uuid"] = made.uuid
    spare = iter(given.macs)
    for nic in root.iterfind("devices/interface"):
        mac = nic.find("mac")
        if mac is None or not mac.get("address"):
            value = _valid(Mac(), next(spare, "")) or Mac.generate()
            Interface(nic)["mac"] = value
            made.macs.append(value)
    return made


def _valid(conv, value: str) -> str:
    try:
        return conv.clean(value) if value else ""
    except ValueError:
        return ""


def _texts(root):
    for el in root.iter():
        if el.text:
            yield el.text
        if isinstance(el.tag, str):
            yield from el.attrib.values()
