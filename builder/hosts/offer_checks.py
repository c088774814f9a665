"""The parts of a domain a host cannot run, held against its Offer (host_offer), as `validate.Problem`s
that name the declared field.

Each check is a short function registered with @check and run in the order registered: the OS
type and arch first (libvirt finds no guest to match otherwise), then the domain type, machine
and emulator, then devices and firmware. `needs` says what a check must know to ask the host at
all (machines and devices are listed per arch, device capabilities per domain type); a problem
found by a `final` check ends the run, as what follows would only repeat it.

Unknown is not none: where the host did not say, or the domain names a template parameter,
nothing is checked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from builder.domainxml.elements import Boot, Disk, Emulator, General, Graphics, Video
from builder.domainxml.fields import PARAMETER
from builder.domainxml.validate import Problem

from .host_offer import DomainCaps, Offer

SHOWN = 8  # values named in a message; the rest are counted

# The fields the checks (and host_choices) name; a renamed field fails here, at import.
OS_TYPE, ARCH, MACHINE = Boot.fields["os_type"].key, Boot.fields["arch"].key, Boot.fields["machine"].key
FIRMWARE, LOADER_TYPE = Boot.fields["firmware"].key, Boot.fields["loader_type"].key
DOMAIN_TYPE, EMULATOR = General.fields["domain_type"].key, Emulator.fields["emulator"].key
DISK_BUS, DISK_DEVICE = Disk.fields["target_bus"].key, Disk.fields["device"].key
GRAPHICS_TYPE, VIDEO_MODEL = Graphics.fields["type"].key, Video.fields["model_type"].key


def _known(value: str | None) -> bool:
    """Set, and not a template parameter: ${...} is only known once rendered."""
    return bool(value) and not PARAMETER.search(value)


def _shortened(values) -> str:
    values = list(values)
    if not values:
        return "none"
    more = len(values) - SHOWN
    return ", ".join(values[:SHOWN]) + (f" and {more} more" if more > 0 else "")


@dataclass
class Asked:
    """What a whole <domain> asks of the host, read once for all the checks."""

    root: etree._Element
    offer: Offer
    type_el: etree._Element | None  # <os><type>
    dtype: str
    os_type: str
    arch: str  # as written, or the one libvirt picks when none is named and the OS type is known
    machine: str

    @classmethod
    def of(cls, root: etree._Element, offer: Offer) -> Asked:
        type_el = root.find("os/type")
        dtype = (root.get("type") or "").strip()
        os_type = (type_el.text or "").strip() if type_el is not None else ""
        arch = (type_el.get("arch") or "").strip() if type_el is not None else ""
        if not arch and _known(os_type):
            arch = offer.default_arch(os_type, dtype if _known(dtype) else None) or ""
        machine = (type_el.get("machine") or "").strip() if type_el is not None else ""
        return cls(root, offer, type_el, dtype, os_type, arch, machine)

    @property
    def level(self) -> str:
        return "warning" if self.offer.lenient else "error"

    @property
    def os_filter(self) -> str | None:
        return self.os_type if _known(self.os_type) else None

    @property
    def type_filter(self) -> str | None:
        return self.dtype if _known(self.dtype) else None

    @property
    def known_machine(self) -> str | None:
        return self.machine if _known(self.machine) else None

    @functools.cached_property
    def caps(self) -> DomainCaps | None:
        return self.offer.any_caps(self.dtype, self.arch, self.known_machine)

    def at(self, el: etree._Element, message: str, field: str, level: str = "") -> Problem:
        return Problem(level or self.level, message, el.getroottree().getpath(el), el.sourceline or None, field)


@dataclass(frozen=True)
class HostCheck:
    run: Callable[[Asked], Iterator[Problem]]
    needs: Callable[[Asked], bool] | None  # None: always asked
    final: bool  # a problem found here ends the run


CHECKS: list[HostCheck] = []


def check(needs: Callable[[Asked], bool] | None = None, final: bool = False):
    def register(fn: Callable[[Asked], Iterator[Problem]]):
        CHECKS.append(HostCheck(fn, needs, final))
        return fn

    return register


def host_problems(root: etree._Element, offer: Offer) -> list[Problem]:
    """Values in a whole <domain> that this host cannot run, OS type and arch first, then devices."""
    if not offer.guests:
        return []  # capabilities said nothing: nothing to hold the domain against
    asked = Asked.of(root, offer)
    out: list[Problem] = []
    for c in CHECKS:
        if c.needs is not None and not c.needs(asked):
            continue
        found = list(c.run(asked))
        out += found
        if found and c.final:
            break
    return out


# -- what each check needs to know ---------------------------------------------------------


def names_domain_type(a: Asked) -> bool:
    return _known(a.dtype)


def per_arch(a: Asked) -> bool:
    """Machines, emulators and everything below are listed per arch."""
    return _known(a.arch)


def per_domain_type(a: Asked) -> bool:
    return per_arch(a) and names_domain_type(a)


def with_caps(a: Asked) -> bool:
    """Graphics, video and firmware: only domain capabilities say."""
    return per_domain_type(a) and a.caps is not None


# -- the checks, in the order they run --------------------------------------------------------


@check(final=True)  # arch, type and machine are all per OS type: nothing more to say
def os_type_offered(a: Asked):
    if _known(a.os_type) and not a.offer.arches(a.os_type):
        message = f"this host cannot run '{a.os_type}' guests; it offers: {_shortened(a.offer.os_types())}"
        yield a.at(a.type_el, message, OS_TYPE)


@check(final=True)
def arch_offered(a: Asked):
    offered = a.offer.arches(a.os_filter)
    if _known(a.arch) and a.arch not in offered:
        yield a.at(a.type_el, f"this host cannot run {a.arch} guests; it offers: {_shortened(offered)}", ARCH)


@check(needs=names_domain_type, final=True)
def domain_type_offered(a: Asked):
    arch = a.arch if _known(a.arch) else None
    offered = a.offer.domain_types(arch, a.os_filter)
    if a.dtype not in offered:
        where = f" for {arch}" if arch else ""
        message = f"this host offers no '{a.dtype}' domains{where}; it offers: {_shortened(offered)}"
        yield a.at(a.root, message, DOMAIN_TYPE)


@check(needs=per_arch)
def machine_offered(a: Asked):
    if not a.known_machine:
        return
    machines = a.offer.machines(a.arch, a.type_filter, a.os_filter)
    # An empty list is a driver that lists none (the test driver): it says nothing about any machine.
    if machines and a.machine not in machines:
        message = f"this host has no machine type '{a.machine}' for {a.arch}; it offers: {_shortened(machines)}"
        yield a.at(a.type_el, message, MACHINE)


@check(needs=per_arch)
def emulator_listed(a: Asked):
    emulator_el = a.root.find("devices/emulator")
    emulator = (emulator_el.text or "").strip() if emulator_el is not None else ""
    if not _known(emulator):
        return
    emulators = a.offer.emulators(a.arch, a.type_filter, a.os_filter)
    if emulators and emulator not in emulators:
        yield a.at(
            emulator_el,
            f"the host lists no emulator {emulator} for {a.arch} (libvirt still uses it if it exists "
            f"there, such as a wrapper script); it lists: {_shortened(emulators)}",
            EMULATOR,
            "warning",  # QEMU's driver probes any binary it is given: only a missing one fails
        )


def _disk_buses(a: Asked) -> list[str] | None:
    # Which buses a board has depends on it (q35 has no IDE): only capabilities made for this machine tell.
    if a.known_machine is None and a.type_el.get("machine"):
        return None
    return a.offer.disk_buses(a.dtype, a.arch, a.known_machine)


@check(needs=per_domain_type)
def disks_fit(a: Asked):
    buses, devices = _disk_buses(a), a.caps.disk_devices if a.caps is not None else None
    for disk in a.root.iterfind("devices/disk"):
        target = disk.find("target")
        bus = target.get("bus") if target is not None else None
        if buses is not None and _known(bus) and bus not in buses:
            message = f"this host's {a.dtype} guests on {a.arch} have no '{bus}' disk bus; it offers: "
            yield a.at(disk, message + _shortened(buses), DISK_BUS)
        device = disk.get("device")
        if devices is not None and _known(device) and device not in devices:
            message = f"this host cannot attach a disk as '{device}'; it offers: {_shortened(devices)}"
            yield a.at(disk, message, DISK_DEVICE)


@check(needs=with_caps)
def graphics_offered(a: Asked):
    offered = a.caps.graphics_types
    for g in a.root.iterfind("devices/graphics") if offered is not None else ():
        kind = g.get("type")
        if _known(kind) and kind not in offered:
            yield a.at(g, f"this host has no '{kind}' graphics; it offers: {_shortened(offered)}", GRAPHICS_TYPE)


@check(needs=with_caps)
def video_models_offered(a: Asked):
    offered = a.caps.video_models
    for model in a.root.iterfind("devices/video/model") if offered is not None else ():
        kind = model.get("type")
        if _known(kind) and kind not in offered:
            message = f"this host has no '{kind}' video model; it offers: {_shortened(offered)}"
            yield a.at(model.getparent(), message, VIDEO_MODEL)


# UEFI: firmware='efi' needs a firmware the host describes; a pflash loader needs pflash.


def _boots_firmware(a: Asked) -> bool:
    return a.caps.os_supported is not False  # False: the host boots no firmware choice at all


@check(needs=with_caps, final=True)  # the loader below would only repeat it
def uefi_firmware_offered(a: Asked):
    os_el = a.root.find("os")
    offered = a.caps.firmware if _boots_firmware(a) else ()
    if os_el is not None and os_el.get("firmware") == "efi" and offered is not None and "efi" not in offered:
        message = f"this host has no UEFI firmware for {a.dtype} guests on {a.arch}; it offers: {_shortened(offered)}"
        yield a.at(os_el, message, FIRMWARE)


@check(needs=with_caps)
def pflash_loader_offered(a: Asked):
    loader = a.root.find("os/loader")
    offered = a.caps.loader_types if _boots_firmware(a) else ()
    if loader is not None and loader.get("type") == "pflash" and offered is not None and "pflash" not in offered:
        message = f"this host cannot load a pflash (UEFI) firmware; it offers: {_shortened(offered)}"
        yield a.at(loader, message, LOADER_TYPE)
