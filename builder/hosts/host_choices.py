"""The host's values for the editor's datalists and selects, per declared field."""

from __future__ import annotations

from builder.domainxml.elements import Boot

from .host_offer import Offer, unique
from .offer_checks import (
    ARCH,
    DISK_BUS,
    DISK_DEVICE,
    DOMAIN_TYPE,
    EMULATOR,
    GRAPHICS_TYPE,
    MACHINE,
    OS_TYPE,
    VIDEO_MODEL,
)

LOADER = Boot.fields["loader"].key

# Fields whose values the domain capabilities list, and the DomainCaps attribute that has them.
FROM_DOMAIN_CAPS = (
    (DISK_BUS, "disk_buses"),
    (DISK_DEVICE, "disk_devices"),
    (GRAPHICS_TYPE, "graphics_types"),
    (VIDEO_MODEL, "video_models"),
)


def choices(offer: Offer, arch: str | None = None, domain_type: str | None = None) -> dict[str, list[str]]:
    """The host's values per declared field ("Boot.machine": [...]), for datalists and selects.

    Without an arch, the one libvirt would pick; without a domain type, every type's values.
    A key is left out where the host did not say (no domain capabilities): the declared choices
    apply there. An empty list means the host offers none.
    """
    out: dict[str, list[str]] = {
        OS_TYPE: offer.os_types(),
        ARCH: offer.arches(None, domain_type),
        DOMAIN_TYPE: offer.domain_types(arch),
    }
    arch = arch or offer.default_arch("hvm", domain_type) or offer.default_arch(None, domain_type)
    if arch:
        out.update(_per_arch(offer, arch, domain_type))
    return out


def _per_arch(offer: Offer, arch: str, domain_type: str | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    # A driver that lists no machines (the test driver) takes any: no list, rather than an empty one.
    for key, values in ((MACHINE, offer.machines(arch, domain_type)), (EMULATOR, offer.emulators(arch, domain_type))):
        if values:
            out[key] = values
    types = [domain_type] if domain_type else offer.domain_types(arch)
    found = [c for c in (offer.any_caps(t, arch) for t in types) if c is not None]
    for key, attr in FROM_DOMAIN_CAPS:
        said = [getattr(c, attr) for c in found if getattr(c, attr) is not None]
        if said:
            out[key] = unique(v for values in said for v in values)
    loaders = unique(v for c in found for v in c.loaders)
    if loaders:
        out[LOADER] = loaders
    return out
