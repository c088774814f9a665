"""Bundles: a template with the profiles it links to, as one JSON file for another installation.

    {"format": "domain-builder-bundle", "version": 1,
     "template": {"name": ..., "description": ..., "xml": ..., "parameters": [{"name": ..., "default": ...}]},
     "slots": [{"profile": "p1" or null, "xml": "" or the device's own XML}, ...],
     "profiles": {"p1": {"name": ..., "kind": ..., "description": ..., "xml": ...}}}

The profile keys belong to the bundle only (never database ids). Importing checks everything
before saving anything (every value's type, size and characters: bundle_checks; then the XML); a
profile that is already in the library (same kind, same XML once canonicalised) is reused rather
than copied.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction
from lxml import etree

from builder.domainxml import assemble, parse

from .access import visible
from .bundle_checks import MAX_KEY, BundleError, fields, items, load, text
from .editing import check_parameters
from .models import DeviceProfile, DeviceSlot, DomainTemplate
from .revisions import changed

FORMAT = "domain-builder-bundle"
VERSION = 1
# Elements that are never one device (is_device only leaves out what <devices> holds besides them).
NOT_DEVICES = frozenset({"domain", "devices"})


def max_bundle_bytes() -> int:
    return settings.MAX_XML_BYTES * 8


def export_bundle(template: DomainTemplate) -> dict:
    """The template, its slots in order and the profiles they link to."""
    profiles: dict[str, dict] = {}
    keys: dict[int, str] = {}
    slots = []
    for slot in DeviceSlot.objects.filter(template=template).select_related("profile").order_by("position"):
        if slot.profile_id:
            key = keys.get(slot.profile_id)
            if key is None:
                key = keys[slot.profile_id] = f"p{len(keys) + 1}"
                p = slot.profile
                profiles[key] = {"name": p.name, "kind": p.kind, "description": p.description, "xml": p.xml}
            slots.append({"profile": key, "xml": ""})
        else:
            slots.append({"profile": None, "xml": slot.xml})
    return {
        "format": FORMAT,
        "version": VERSION,
        "template": {
            "name": template.name,
            "description": template.description,
            "xml": template.xml,
            "parameters": [{"name": p["name"], "default": p.get("default", "")} for p in template.parameters],
        },
        "slots": slots,
        "profiles": profiles,
    }


def dumps(template: DomainTemplate) -> str:
    return json.dumps(export_bundle(template), ensure_ascii=False, indent=2) + "\n"


# -- import --------------------------------------------------------------------------------


def _device(xml: str, where: str, kind: str | None = None) -> etree._Element:
    text(xml, where, settings.MAX_XML_BYTES)
    try:
        node = parse.parse_xml(xml, settings.MAX_XML_BYTES)
    except parse.XMLInputError as e:
        raise BundleError(f"{where}: {e}") from None
    if not assemble.is_device(node) or node.tag in NOT_DEVICES:
        raise BundleError(f"{where}: <{node.tag}> is not a device")
    if kind is not None and node.tag != kind:
        raise BundleError(f"{where}: a {kind} profile needs a <{kind}> element, not <{node.tag}>")
    return node


def canonical(node: etree._Element) -> bytes:
    """The element in canonical form (C14N), for telling whether two profiles are the same."""
    return etree.tostring(node, method="c14n")


def _parse(data: bytes) -> dict:
    limit = max_bundle_bytes()
    if len(data) > limit:
        raise BundleError(f"file is larger than the bundle limit of {limit:,} bytes")
    if not data.strip():
        raise BundleError("file is empty")
    try:
        doc = load(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BundleError("file is not UTF-8 text") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BundleError(f'this is not a bundle: "format" must be {FORMAT!r}')
    # The version before the other keys: a later version may have other ones, and is refused for what it is.
    if "version" not in doc:
        raise BundleError("the bundle lacks 'version'")
    version = fields({"version": doc["version"]}, "the bundle", {"version": int})["version"]
    if version != VERSION:
        raise BundleError(f"bundle version {version} is not supported (this installation reads version {VERSION})")
    fields(doc, "the bundle", {"format": str, "version": int, "template": dict, "slots": list, "profiles": dict})
    items(doc["slots"], "the bundle's slots")
    items(doc["profiles"], "the bundle's profiles")
    return doc


def _check_template(t) -> dict:
    t = fields(t, "the template", {"name": str, "description": str, "xml": str, "parameters": list})
    text(t["name"], "the template's name", DomainTemplate._meta.get_field("name").max_length, blank=False, name=True)
    text(t["description"], "the template's description", settings.MAX_XML_BYTES)
    text(t["xml"], "the template's xml", settings.MAX_XML_BYTES)
    try:
        parse.parse_xml(t["xml"], settings.MAX_XML_BYTES, root_tag="domain")
    except parse.XMLInputError as e:
        raise BundleError(f"the template's xml: {e}") from None
    rows = []
    for i, p in enumerate(items(t["parameters"], "the template's parameters"), 1):
        p = fields(p, f"parameter {i}", {"name": str, "default": str})
        text(p["name"], f"parameter {i}: the name", MAX_KEY, blank=False, name=True)
        text(p["default"], f"parameter {i}: the default", settings.MAX_XML_BYTES)
        rows.append((p["name"], p["default"]))
    params, errors = check_parameters(rows)
    if errors:
        raise BundleError(f"the template's parameters: {'; '.join(errors)}")
    return {**t, "parameters": params}


def _check_profiles(profiles: dict) -> dict[str, tuple[dict, etree._Element]]:
    name_limit = DeviceProfile._meta.get_field("name").max_length
    kind_limit = DeviceProfile._meta.get_field("kind").max_length
    checked = {}
    for key, p in profiles.items():
        text(key, "a profile's key", MAX_KEY, blank=False, name=True)
        where = f"profile {key!r}"
        p = fields(p, where, {"name": str, "kind": str, "description": str, "xml": str})
        text(p["name"], f"{where}: the name", name_limit, blank=False, name=True)
        text(p["kind"], f"{where}: the kind", kind_limit, blank=False, name=True)
        text(p["description"], f"{where}: the description", settings.MAX_XML_BYTES)
        checked[key] = (p, _device(p["xml"], f"{where}: the xml", kind=p["kind"]))
    return checked


def _check_slots(slots: list, profiles: dict) -> list[tuple[str | None, str]]:
    checked = []
    for i, s in enumerate(slots, 1):
        where = f"slot {i}"
        s = fields(s, where, {"profile": (str, type(None)), "xml": str})
        if s["profile"] is not None:
            if s["profile"] not in profiles:
                raise BundleError(f"{where} links to the profile {s['profile']!r}, which the bundle does not hold")
            if s["xml"]:
                raise BundleError(f"{where} has both a profile and its own xml")
        else:
            _device(s["xml"], f"{where}: the xml")
        checked.append((s["profile"], s["xml"]))
    return checked


def _check(doc: dict) -> tuple[dict, list[tuple[str | None, str]], dict[str, tuple[dict, etree._Element]]]:
    """Everything checked, nothing saved: (template fields, slots, {key: (profile fields, node)})."""
    template = _check_template(doc["template"])
    profiles = _check_profiles(doc["profiles"])
    return template, _check_slots(doc["slots"], profiles), profiles


def _find_or_create(fields: dict, node: etree._Element, owner) -> tuple[DeviceProfile, bool]:
    """An identical profile the importer may see (the installation's, for a command run without
    an owner), or a new one of theirs; someone else's private profile is never linked."""
    wanted = canonical(node)
    mine = (
        visible(DeviceProfile.objects.all(), owner) if owner is not None else DeviceProfile.objects.filter(owner=None)
    )
    for profile in mine.filter(kind=node.tag).order_by("pk"):
        try:
            same = canonical(parse.parse_xml(profile.xml, settings.MAX_XML_BYTES)) == wanted
        except parse.XMLInputError:
            continue
        if same:
            return profile, False
    profile = DeviceProfile.objects.create(
        name=fields["name"], description=fields["description"], xml=fields["xml"], owner=owner
    )
    return profile, True


def import_bundle(data: bytes, owner=None) -> tuple[DomainTemplate, list[str]]:
    """A new template from a bundle; raises BundleError and saves nothing if anything is wrong.

    Returns the template and notes, one per profile: reused (already in the library) or created.
    """
    doc = _parse(data)
    t, slots, profiles = _check(doc)
    notes = []
    with transaction.atomic():
        made: dict[str, DeviceProfile] = {}
        for key in dict.fromkeys(k for k, _ in slots if k is not None):
            fields, node = profiles[key]
            profile, created = _find_or_create(fields, node, owner)
            made[key] = profile
            verb = "created" if created else "reused"
            notes.append(f"{verb} profile {profile.pk} ({profile.name})")
        template = DomainTemplate.objects.create(
            name=t["name"], description=t["description"], xml=t["xml"], parameters=t["parameters"], owner=owner
        )
        DeviceSlot.objects.bulk_create(
            DeviceSlot(template=template, position=i, profile=made[key] if key else None, xml="" if key else xml)
            for i, (key, xml) in enumerate(slots)
        )
        changed(template, message="Imported from a bundle")
    unused = [k for k in profiles if k not in made]
    if unused:
        notes.append(f"profiles no slot links to were not imported: {', '.join(unused)}")
    return template, notes


def read_bundle(path) -> bytes:
    """A file's bytes, up to one past the bundle limit."""
    try:
        with open(path, "rb") as f:
            return f.read(max_bundle_bytes() + 1)
    except OSError as e:
        raise BundleError(e.strerror or str(e)) from None
