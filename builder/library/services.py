"""What the commands and views do with the library: import and validate (rendering: builder.library.rendering)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from lxml import etree

from builder.domainxml import assemble, hazards, parse, validate

from .models import DeviceSlot, DomainTemplate
from .revisions import changed


@dataclass
class Imported:
    template: DomainTemplate
    warnings: list[str]


def check(root: etree._Element) -> list[validate.Problem]:
    """Schema and semantic problems; a missing schema is itself reported, never a crash."""
    try:
        return validate.validate(root, settings.LIBVIRT_SCHEMA_DIR)
    except validate.SchemaUnavailable as e:
        skipped = validate.Problem("warning", f"not checked against libvirt's schema: {e}")
        return [skipped, *validate.semantic_problems(root)]


def import_domain(data: bytes, owner=None, fallback_name: str = "imported") -> Imported:
    """One template from one domain XML document; raises XMLInputError and saves nothing if unusable.

    Whatever libvirt could have written is kept whole (apart from the 2008 spellings,
    which are rewritten); every problem becomes a warning rather than a refusal.
    """
    parsed = parse.parse_domain(data, settings.MAX_XML_BYTES)
    warnings = list(parsed.warnings)
    # Kept as written, but said plainly: libvirt would refuse these or change them silently.
    warnings += [
        f"libvirt would not take this as written: {p}" if p.level == "error" else str(p) for p in check(parsed.root)
    ]
    warnings += [str(p) for p in hazards.warnings(parsed.root)]  # "runs commands on the host", whatever the host
    template_xml, devices = assemble.split(parsed.root)
    name = (parsed.root.findtext("name") or "").strip() or fallback_name
    limit = DomainTemplate._meta.get_field("name").max_length
    if len(name) > limit:
        warnings.append(
            f"the name is longer than {limit} characters; the library lists it shortened (the XML keeps it)"
        )
        name = name[: limit - 1] + "…"
    with transaction.atomic():
        template = DomainTemplate.objects.create(name=name, xml=template_xml, owner=owner)
        DeviceSlot.objects.bulk_create(
            DeviceSlot(template=template, position=i, xml=xml) for i, xml in enumerate(devices)
        )
        changed(template)
    return Imported(template, warnings)


def read_upload(path) -> bytes:
    """A file's bytes, up to one past the size limit: enough to refuse a huge file without reading it.

    Raises XMLInputError with a reason a person can read (also for a missing or unreadable file).
    """
    try:
        with open(path, "rb") as f:
            return f.read(settings.MAX_XML_BYTES + 1)
    except OSError as e:
        raise parse.XMLInputError(e.strerror or str(e)) from None


# A domain with nothing in it, so one device can be checked on its own (profiles).
_SKELETON = (
    "<domain type='kvm'><name>profile-check</name><memory>65536</memory><os><type>hvm</type></os><devices/></domain>"
)


def check_device(node: etree._Element) -> list[validate.Problem]:
    """The problems libvirt would have with this device in a plain KVM guest."""
    root = etree.fromstring(_SKELETON)
    root.find("devices").append(copy.deepcopy(node))
    return [p for p in check(root) if p.path.startswith("/domain/devices")]
