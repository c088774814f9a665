"""Reading templates as domains: the whole domain with its devices, one guest with its parameters.

Nothing here stores anything: revisions, editing, restoring and publishing build on it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.conf import settings
from lxml import etree

from builder.domainxml import assemble
from builder.domainxml.parameters import Identities, fill_identities, placeholders, substitute

from .models import DeviceProfile, DeviceSlot, DomainTemplate


def slots_of(template: DomainTemplate) -> list[DeviceSlot]:
    """The template's slots in order, each linked one with its profile.

    The profiles come by a second query, and only when some slot is linked: joined in, they cost
    Django's related-object work on every row, linked or not (measured: as much as the query
    itself), and the preview asks for the slots on every keystroke.
    """
    slots = list(template.slots.order_by("position"))
    linked = DeviceProfile.objects.in_bulk({s.profile_id for s in slots if s.profile_id})
    for slot in slots:
        if slot.profile_id:
            slot.profile = linked[slot.profile_id]
    return slots


def render(template: DomainTemplate, slots: list[DeviceSlot] | None = None) -> etree._Element:
    """The template's whole domain, with linked profiles as they are now.

    `slots`: the template's slots in order with their profiles, when the caller has them already."""
    if slots is not None:
        rows = [(s.profile.xml if s.profile_id else None, s.xml) for s in slots]
    else:  # only the two texts, not whole model objects: this runs on every render and check
        rows = DeviceSlot.objects.filter(template=template).order_by("position").values_list("profile__xml", "xml")
    return assemble.assemble(template.xml, (linked or own for linked, own in rows), settings.MAX_XML_BYTES)


def render_xml(template: DomainTemplate) -> str:
    return assemble.to_string(render(template)) + "\n"


def device_nodes(root: etree._Element) -> list[etree._Element]:
    """The devices of an assembled domain: one per slot, in slot order."""
    container = root.find("devices")
    return [n for n in container if assemble.is_device(n)] if container is not None else []


def undeclared_parameters(template: DomainTemplate, root: etree._Element) -> list[str]:
    declared = {p["name"] for p in template.parameters}
    return [n for n in placeholders(root) if n not in declared]


def with_defaults(template: DomainTemplate, root: etree._Element, parameters: list[dict] | None = None):
    """A copy with the declared parameters' defaults filled in (the tree itself when there are none).

    `parameters`: those of the version being rendered, when not the template's own."""
    params = template.parameters if parameters is None else parameters
    defaults = {p["name"]: p["default"] for p in params if p.get("default")}
    if not defaults:
        return root
    filled = copy.deepcopy(root)
    substitute(filled, defaults)
    return filled


@dataclass
class Rendered:
    root: etree._Element
    missing: list[str]
    generated: Identities


def render_instance(
    template: DomainTemplate, values: dict[str, str], identities: Identities | None = None, version=None
) -> Rendered:
    """One guest from the template: parameters (or their defaults) filled in, uuid and MACs made
    (or taken from `identities`, so a page and its download agree).

    `version` (a publishing.Version): what to render; by default the template as stored now."""
    root, params = (
        (version.root, version.parameters) if version is not None else (render(template), template.parameters)
    )
    given = {p["name"]: values.get(p["name"]) or p.get("default", "") for p in params}
    missing = substitute(root, {k: v for k, v in given.items() if v != ""})
    generated = fill_identities(root, identities)
    return Rendered(root, missing, generated)
