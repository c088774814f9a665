"""Bundles: a template with the profiles it links to, as one JSON file for another installation.

    {"format": "domain-builder-bundle", "version": 1,
     "template": {"name": ..., "description": ..., "xml": ..., "parameters": [{"name": ..., "default": ...}]},
     "slots": [{"profile": "p1" or null, "xml": "" or the device's own XML}, ...],
     "profiles": {"p1": {"name": ..., "kind": ..., "description": ..., "xml": ...}}}

The profile keys belong to the bundle only (never database ids). Importing checks everything
before saving anything; a profile that is already in the library (same kind, same XML once
canonicalised) is reused rather than copied.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction
from lxml import etree

from builder.domainxml import assemble, parse

from .editing import check_parameters
from .models import DeviceProfile, DeviceSlot, DomainTemplate
from .revisions import changed

FORMAT = "domain-builder-bundle"
VERSION = 1
# Elements that are never one device (is_device only leaves out what <devices> holds besides them).
NOT_DEVICES = frozenset({"domain", "devices"})


class BundleError(ValueError):
    """The bundle cannot be imported; the message says why, for a person."""


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


def _object(value, where: str, required: dict[str, type | tuple]) -> dict:
    if not isinstance(value, dict):
        raise BundleError(f"{where} must be a JSON object")
    missing = [k for k in required if k not in value]
    if missing:
        raise BundleError(f"{where} lacks {', '.join(repr(k) for k in missing)}")
    extra = sorted(set(value) - set(required))
    if extra:
        raise BundleError(f"{where} has unknown keys: {', '.join(repr(k) for k in extra)}")
    for k, types in required.items():
        if not isinstance(value[k], types) or isinstance(value[k], bool):
            raise BundleError(f"{where}: {k!r} has the wrong type ({type(value[k]).__name__})")
    return value


def _text(value: str, where: str, limit: int, blank: bool = True) -> str:
    if not blank and not value.strip():
        raise BundleError(f"{where} is empty")
    if len(value) > limit:
        raise BundleError(f"{where} is longer than {limit} characters")
    return value


def _device(xml: str, where: str, kind: str | None = None) -> etree._Element:
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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BundleError("file is not UTF-8 text") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise BundleError(f"this is not JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise BundleError("this is not a bundle: the JSON is nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BundleError(f'this is not a bundle: "format" must be {FORMAT!r}')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BundleError(f"the bundle: 'version' has the wrong type ({type(version).__name__}); it must be a number")
    if version != VERSION:
        raise BundleError(f"bundle version {version} is not supported (this installation reads version {VERSION})")
    return _object(
        doc, "the bundle", {"format": str, "version": int, "template": dict, "slots": list, "profiles": dict}
    )


def _check(doc: dict) -> tuple[dict, list[tuple[str | None, str]], dict[str, tuple[dict, etree._Element]]]:
    """Everything checked, nothing saved: (template fields, slots, {key: (profile fields, node)})."""
    name_limit = DomainTemplate._meta.get_field("name").max_length
    t = _object(doc["template"], "the template", {"name": str, "description": str, "xml": str, "parameters": list})
    _text(t["name"], "the template's name", name_limit, blank=False)
    try:
        parse.parse_xml(t["xml"], settings.MAX_XML_BYTES, root_tag="domain")
    except parse.XMLInputError as e:
        raise BundleError(f"the template's xml: {e}") from None
    rows = []
    for i, p in enumerate(t["parameters"], 1):
        p = _object(p, f"parameter {i}", {"name": str, "default": str})
        rows.append((p["name"], p["default"]))
    params, errors = check_parameters(rows)
    if errors:
        raise BundleError(f"the template's parameters: {'; '.join(errors)}")
    if len(params) != len(rows):
        raise BundleError("the template's parameters: a parameter has an empty name")

    profile_limit = DeviceProfile._meta.get_field("name").max_length
    profiles = {}
    for key, p in doc["profiles"].items():
        where = f"profile {key!r}"
        p = _object(p, where, {"name": str, "kind": str, "description": str, "xml": str})
        _text(p["name"], f"{where}: the name", profile_limit, blank=False)
        profiles[key] = (p, _device(p["xml"], f"{where}: the xml", kind=p["kind"]))

    slots = []
    for i, s in enumerate(doc["slots"], 1):
        where = f"slot {i}"
        s = _object(s, where, {"profile": (str, type(None)), "xml": str})
        if s["profile"] is not None:
            if s["profile"] not in profiles:
                raise BundleError(f"{where} links to the profile {s['profile']!r}, which the bundle does not hold")
            if s["xml"]:
                raise BundleError(f"{where} has both a profile and its own xml")
        else:
            _device(s["xml"], f"{where}: the xml")
        slots.append((s["profile"], s["xml"]))
    t = {**t, "parameters": params}
    return t, slots, profiles


def _find_or_create(fields: dict, node: etree._Element, owner) -> tuple[DeviceProfile, bool]:
    """An identical profile the importer may see (the installation's, for a command run without
    an owner), or a new one of theirs; someone else's private profile is never linked."""
    from .access import visible

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
