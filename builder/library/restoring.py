"""Restoring a template's old revision: an edit like any other, recorded as a new revision."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from builder.domainxml import assemble, parse

from .links import covers
from .models import DeviceProfile, DeviceSlot, DomainTemplate, TemplateRevision
from .rendering import device_nodes
from .revisions import changed


@transaction.atomic
def restore(template: DomainTemplate, revision: TemplateRevision) -> None:
    """Make the template what it was at `revision` (a new revision then records it)."""
    snap = revision.snapshot
    template.xml = snap["xml"]
    root = parse.parse_xml(template.xml, settings.MAX_XML_BYTES, root_tag="domain")
    template.name = (root.findtext("name") or template.name).strip()[:200] or template.name
    template.parameters = snap.get("parameters", [])
    template.save()
    template.slots.all().delete()
    # Re-linked only where the profile still exists and may still be seen by the template's audience.
    linked = DeviceProfile.objects.filter(pk__in=[s["profile"] for s in snap["slots"] if s["profile"]])
    existing = {p.pk for p in linked if covers(p, template)}
    devices = _rendered_devices(revision.rendered)
    slots = []
    for i, s in enumerate(snap["slots"]):
        if s["profile"] in existing:
            slots.append(DeviceSlot(template=template, position=i, profile_id=s["profile"]))
        else:  # a profile deleted or narrowed since: the device as it was rendered then, as its own
            xml = s["xml"] or (devices[i] if i < len(devices) else "")
            slots.append(DeviceSlot(template=template, position=i, xml=xml))
    DeviceSlot.objects.bulk_create(slots)
    changed(template, message=f"Restored revision {revision.number}")


def _rendered_devices(xml: str) -> list[str]:
    try:
        root = parse.parse_xml(xml, settings.MAX_XML_BYTES, root_tag="domain")
    except parse.XMLInputError:
        return []
    return [assemble.to_string(n) for n in device_nodes(root)]
