"""Changes people make to templates and profiles: values through the declarations, devices,
raw XML and parameters. Every change goes onto the kept XML, so what the forms do not know stays.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from lxml import etree

from builder.domainxml import assemble, dependent, parse
from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.parameters import NAME

from .models import DeviceProfile, DeviceSlot, DomainTemplate
from .rendering import device_nodes, render, slots_of
from .revisions import changed as _changed
from .revisions import latest_number

# What a domain is when "New template" makes one: a small KVM guest libvirt accepts as it is.
NEW_DOMAIN = """<domain type='kvm'>
  <name>{name}</name>
  <memory unit='MiB'>2048</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <clock offset='utc'/>
  <devices>
  </devices>
</domain>"""


@dataclass
class Edit:
    """What the forms send: values per section class name, and per slot id."""

    sections: dict[str, dict] = field(default_factory=dict)
    slots: dict[int, dict] = field(default_factory=dict)


def _parse(xml: str, root_tag: str | None = None) -> etree._Element:
    return parse.parse_xml(xml, settings.MAX_XML_BYTES, root_tag=root_tag)


def apply_edit(root: etree._Element, slots: list[DeviceSlot], edit: Edit, notes: list | None = None) -> list[str]:
    """Write form values onto an assembled domain (sections, then each slot's device); changed keys.

    Then what follows from a changed machine type or firmware is re-derived (builder.domainxml.
    dependent); `notes` receives what that changed, and why."""
    before = dependent.state(root)
    changed = []
    for cls in SECTIONS:
        values = edit.sections.get(cls.__name__)
        if values:
            changed += [f"{cls.__name__}.{n}" for n in cls(root).apply(values)]
    nodes = device_nodes(root)
    for slot, node in zip(slots, nodes, strict=True):
        values = edit.slots.get(slot.pk)
        cls = DEVICES.get(node.tag)
        if values and cls and not slot.profile_id:
            changed += [f"slot{slot.pk}.{n}" for n in cls(node).apply(values)]
    rederived = dependent.rederive(before, root)
    if notes is not None:
        notes.extend(rederived)
    # A device the new machine type cannot have (an IDE controller on q35) was taken out: its slot
    # goes from the list too, so the others still line up with their devices.
    for slot, node in list(zip(slots, nodes, strict=True)):
        if node.getparent() is None:
            slots.remove(slot)
    return changed


@transaction.atomic
def save_edit(template: DomainTemplate, edit: Edit, notes: list | None = None) -> list[str]:
    """Apply form values and store the result: the template's own XML and each own-XML slot."""
    slots = slots_of(template)
    original = list(slots)
    root = render(template)
    changed = apply_edit(root, slots, edit, notes)
    gone = [s.pk for s in original if s not in slots]
    if gone:
        DeviceSlot.objects.filter(pk__in=gone).delete()
        _renumber(slots)
    store_tree(template, root, slots)
    _changed(template)
    return changed


def _renumber(slots: list[DeviceSlot]) -> None:
    """Positions 0, 1, 2 ... again, through free numbers (one slot per position at every step)."""
    top = len(slots) + 1000
    for i, slot in enumerate(slots):
        DeviceSlot.objects.filter(pk=slot.pk).update(position=top + i)
    for i, slot in enumerate(slots):
        slot.position = i
        DeviceSlot.objects.filter(pk=slot.pk).update(position=i)


def store_tree(template: DomainTemplate, root: etree._Element, slots: list[DeviceSlot]) -> None:
    """Split an assembled domain back into the template and its slots (devices already in slot order)."""
    template_xml, devices = assemble.split(root)
    template.xml = template_xml
    template.name = (root.findtext("name") or template.name).strip()[:200] or template.name
    template.save()
    for slot, xml in zip(slots, devices, strict=True):
        if slot.profile_id and not assemble.same_device(slot.profile.xml, xml):
            # Changed here (a re-derived bus, say): kept as this template's own copy, not lost.
            slot.profile, slot.xml = None, xml
            slot.save(update_fields=["profile", "xml"])
        elif not slot.profile_id and slot.xml != xml:
            slot.xml = xml
            slot.save(update_fields=["xml"])


@transaction.atomic
def replace_xml(template: DomainTemplate, text: str) -> list[str]:
    """Raw XML of the whole domain, typed by a person: parse, keep links whose device is unchanged.

    Raises XMLInputError (nothing saved) when the text is not a usable domain.
    """
    parsed = parse.parse_domain(text, settings.MAX_XML_BYTES)
    template_xml, devices = assemble.split(parsed.root)
    old = slots_of(template)
    template.xml = template_xml
    template.name = (parsed.root.findtext("name") or template.name).strip()[:200] or template.name
    template.save()
    template.slots.all().delete()
    new = []
    for i, xml in enumerate(devices):
        # A device that is still exactly its profile's stays linked to it.
        linked = next((s.profile for s in old if s.profile_id and _same_xml(s.profile.xml, xml)), None)
        new.append(DeviceSlot(template=template, position=i, profile=linked, xml="" if linked else xml))
    DeviceSlot.objects.bulk_create(new)
    _changed(template)
    return parsed.warnings


def _same_xml(a: str, b: str) -> bool:
    try:
        return etree.tostring(_parse(a), method="c14n") == etree.tostring(_parse(b), method="c14n")
    except parse.XMLInputError:
        return False


# -- devices ------------------------------------------------------------------------------


@transaction.atomic
def add_device(
    template: DomainTemplate, kind: str = "", profile: DeviceProfile | None = None, xml: str = ""
) -> DeviceSlot:
    """A new last device: linked to `profile`, a copy of `xml`, or a fresh device of `kind`."""
    last = template.slots.aggregate(m=Max("position"))["m"]
    position = 0 if last is None else last + 1
    if profile is not None:
        slot = DeviceSlot.objects.create(template=template, position=position, profile=profile)
    elif xml:
        slot = DeviceSlot.objects.create(template=template, position=position, xml=xml)
    else:
        cls = DEVICES[kind]
        siblings = device_nodes(render(template))
        node = cls.fresh(siblings).node
        etree.indent(node, space="  ", level=2)  # laid out like the devices around it
        xml = assemble.to_string(node)
        slot = DeviceSlot.objects.create(template=template, position=position, xml=xml)
    _changed(template)
    return slot


@transaction.atomic
def move_slot(slot: DeviceSlot, step: int) -> bool:
    """Swap with the neighbour above (-1) or below (+1); False at either end."""
    slots = slots_of(slot.template)
    i = next(k for k, s in enumerate(slots) if s.pk == slot.pk)
    j = i + step
    if not 0 <= j < len(slots):
        return False
    a, b = slots[i], slots[j]
    # Through a free position, so the unique (template, position) constraint holds at each step.
    top = len(slots) + 1
    DeviceSlot.objects.filter(pk=a.pk).update(position=top)
    DeviceSlot.objects.filter(pk=b.pk).update(position=a.position)
    DeviceSlot.objects.filter(pk=a.pk).update(position=b.position)
    _changed(slot.template)
    return True


@transaction.atomic
def remove_slot(slot: DeviceSlot) -> None:
    template, position = slot.template, slot.position
    slot.delete()
    template.slots.filter(position__gt=position).update(position=F("position") - 1)
    _changed(template)


@transaction.atomic
def detach_slot(slot: DeviceSlot) -> None:
    """The linked profile's current XML becomes the slot's own copy."""
    if slot.profile_id:
        slot.detach()
        _changed(slot.template)


@transaction.atomic
def save_as_profile(slot: DeviceSlot, name: str, owner=None) -> tuple[DeviceProfile, list[str]]:
    """The slot's device becomes a profile, and the slot is linked to it.

    Values that must differ between guests (a NIC's MAC) are left out of the profile, so every
    guest using it gets its own; the second result names them.
    """
    node = _parse(slot.device_xml)
    cls = DEVICES.get(node.tag)
    left_out = []
    for fname in cls.per_guest if cls else ():
        if cls(node)[fname]:
            left_out.append(cls.fields[fname].label)
            cls(node)[fname] = None
    profile = DeviceProfile.objects.create(name=name[:200], xml=assemble.to_string(node), owner=owner)
    slot.profile, slot.xml = profile, ""
    slot.save(update_fields=["profile", "xml"])
    _changed(slot.template)
    return profile, left_out


@transaction.atomic
def replace_slot_xml(slot: DeviceSlot, text: str) -> None:
    """Raw XML of one device (own XML only). Raises XMLInputError when it is not a device."""
    node = _parse(text)
    if not assemble.is_device(node):
        raise parse.XMLInputError(f"<{node.tag}> is not a device")
    slot.xml, slot.profile = assemble.to_string(node), None
    slot.save(update_fields=["xml", "profile"])
    _changed(slot.template)


def new_template(name: str, owner=None) -> DomainTemplate:
    """Raises XMLInputError for a name XML cannot hold (control characters)."""
    root = etree.fromstring(NEW_DOMAIN.format(name="new"))
    try:
        root.find("name").text = name  # lxml escapes what needs escaping
    except ValueError:
        raise parse.XMLInputError("the name contains a control character, which XML cannot hold") from None
    with transaction.atomic():
        template = DomainTemplate.objects.create(name=name[:200], xml=assemble.to_string(root), owner=owner)
        _changed(template)
    return template


# -- parameters ---------------------------------------------------------------------------


def set_parameters(template: DomainTemplate, rows: list[tuple[str, str]]) -> list[str]:
    """Store the declared parameters; returns problems (bad names, duplicates), storing nothing then."""
    params, errors = check_parameters(rows)
    if not errors:
        template.parameters = params
        template.save(update_fields=["parameters", "updated"])
        _changed(template)
    return errors


def check_parameters(rows: list[tuple[str, str]]) -> tuple[list[dict], list[str]]:
    """The parameters rows declare (blank names skipped) and their problems; nothing is stored."""
    errors, seen, params = [], set(), []
    for name, default in rows:
        name = name.strip()
        if not name:
            continue
        if not NAME.fullmatch(name):
            errors.append(f"'{name}' is not a parameter name (letters, digits and _; not starting with a digit)")
        elif name in seen:
            errors.append(f"'{name}' is declared twice")
        seen.add(name)
        params.append({"name": name, "default": default})
    return params, errors


# -- fork ---------------------------------------------------------------------------------


def set_domain_name(root: etree._Element, name: str) -> None:
    """Give the domain `root` this <name>; ValueError for one libvirt or XML cannot take."""
    name = name.strip()
    if not name or "/" in name:
        raise ValueError("a domain name must not be empty or contain '/'")
    node = root.find("name")
    if node is None:
        node = etree.Element("name")
        root.insert(0, node)
    try:
        node.text = name
    except ValueError:
        raise ValueError("the name contains a control character, which XML cannot hold") from None


def unique_template_name(name: str, owner=None) -> str:
    """`name`, or `name-2`, `name-3` ... when a template of the same owner already has it.

    Only the owner's own names count: others' (maybe private) templates must not show through."""
    name = name[:200]
    mine = DomainTemplate.objects.filter(owner=owner) if owner is not None else DomainTemplate.objects.all()
    taken = set(mine.filter(name__startswith=name[:190]).values_list("name", flat=True))
    if name not in taken:
        return name
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = name[: 200 - len(suffix)] + suffix
        if candidate not in taken and not mine.filter(name=candidate).exists():
            return candidate
        n += 1


def copied_profiles(forked: DomainTemplate, original: DomainTemplate):
    """The profiles a fork links to that the original does not: the copies fork made."""
    return DeviceProfile.objects.filter(slots__template=forked).exclude(slots__template=original).distinct()


def fork(template: DomainTemplate, owner=None, copy_profiles: bool = False, name: str | None = None) -> DomainTemplate:
    """A copy of the template for `owner`: same XML (but its name), description, parameters and slots.

    Linked slots link to the same profiles, or with `copy_profiles` to new copies of them (one per
    profile), so later edits of the originals do not reach the fork. Raises XMLInputError for a
    name XML cannot hold.
    """
    with transaction.atomic():
        new_name = unique_template_name((name or "").strip() or f"{template.name}-copy", owner)
        root = _parse(template.xml, root_tag="domain")
        node = root.find("name")
        if node is None:
            node = etree.Element("name")
            root.insert(0, node)
        try:
            node.text = new_name  # lxml escapes what needs escaping
        except ValueError:
            raise parse.XMLInputError("the name contains a control character, which XML cannot hold") from None
        forked = DomainTemplate.objects.create(
            name=new_name,
            description=template.description,
            xml=assemble.to_string(root),
            parameters=copy.deepcopy(template.parameters),
            owner=owner,
        )
        copies: dict[int, DeviceProfile] = {}
        slots = []
        for slot in slots_of(template):
            profile = slot.profile
            if profile is not None and copy_profiles:
                if profile.pk not in copies:
                    copies[profile.pk] = DeviceProfile.objects.create(
                        name=f"{profile.name} (copy)"[:200],
                        description=profile.description,
                        xml=profile.xml,
                        owner=owner,
                    )
                profile = copies[profile.pk]
            slots.append(DeviceSlot(template=forked, position=slot.position, profile=profile, xml=slot.xml))
        DeviceSlot.objects.bulk_create(slots)
        number = latest_number(template)
        message = f"Forked from {template.name} revision {number}" if number else f"Forked from {template.name}"
        _changed(forked, message)
    return forked
