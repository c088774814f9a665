"""What the bundle tests share: a linked profile's XML, a bundle as bytes, and the library's counts."""

from __future__ import annotations

import json

from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate, TemplateRevision

NIC = "<interface type='bridge'><source bridge='br0'/><model type='virtio'/></interface>"


def bundle_bytes(data: dict) -> bytes:
    return json.dumps(data).encode("utf-8")


def library_counts() -> tuple[int, int, int, int]:
    return (
        DomainTemplate.objects.count(),
        DeviceSlot.objects.count(),
        DeviceProfile.objects.count(),
        TemplateRevision.objects.count(),
    )
