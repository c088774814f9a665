"""What a host can run, from its libvirt capabilities, and the parts of a domain it cannot.

`offer()` reads what `remote.op_capabilities` fetched: getCapabilities() (guest OS types, arches,
domain types, emulators, machine types) and, per "<virttype> <arch>", getDomainCapabilities()
(disk buses, video models, graphics types, firmware ...) where the driver has them.
`host_problems()` turns what the host lacks into `validate.Problem`s that name the declared field,
and `choices()` gives the editor the host's values for its datalists and selects.

Unknown is not none: where the host did not say (no domain capabilities, an element an older
libvirt does not write), nothing is checked and the helpers return None.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.fields import PARAMETER
from builder.domainxml.validate import Problem

SHOWN = 8  # values named in a message; the rest are counted
OS_TYPE_ALIASES = {"linux": "xen"}  # libvirt reads the old os type "linux" as Xen paravirt


def parser() -> etree.XMLParser:
    # The documents come from a remote host: no entities, no network.
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


@dataclass(frozen=True)
class Machine:
    name: str
    canonical: str = ""  # set on aliases: q35 -> pc-q35-7.2


@dataclass(frozen=True)
class GuestDomain:
    type: str
    emulator: str = ""  # only where this domain type has its own (old qemu-kvm, Xen)
    machines: tuple[Machine, ...] = ()


@dataclass(frozen=True)
class Guest:
    """One <guest>: an OS type on one arch."""

    os_type: str
    arch: str
    emulator: str = ""
    machines: tuple[Machine, ...] = ()
    domains: tuple[GuestDomain, ...] = ()

    def domain(self, domain_type: str) -> GuestDomain | None:
        return next((d for d in self.domains if d.type == domain_type), None)


@dataclass(frozen=True)
class DomainCaps:
    """getDomainCapabilities() for one domain type, arch and (default) machine.

    Each tuple is None when the document does not say, () when it says none are supported.
    """

    domain_type: str
    arch: str
    machine: str = ""
    path: str = ""
    os_supported: bool | None = None
    firmware: tuple[str, ...] | None = None
    loaders: tuple[str, ...] = ()
    loader_types: tuple[str, ...] | None = None
    cpu_modes: tuple[str, ...] | None = None
    disk_buses: tuple[str, ...] | None = None
    disk_devices: tuple[str, ...] | None = None
    video_models: tuple[str, ...] | None = None
    graphics_types: tuple[str, ...] | None = None
    hostdev_modes: tuple[str, ...] | None = None
    hostdev_subsys_types: tuple[str, ...] | None = None
    tpm_models: tuple[str, ...] | None = None
    tpm_backends: tuple[str, ...] | None = None
    features: tuple[str, ...] = ()  # <features> children with supported='yes'
    default_machine: bool = True  # asked for no machine: the one libvirt gives a domain that names none


@dataclass(frozen=True)
class Offer:
    host_arch: str = ""
    guests: tuple[Guest, ...] = ()
    domain_caps: tuple[DomainCaps, ...] = ()

    @property
    def lenient(self) -> bool:
        """libvirt's test driver defines any arch, domain type or machine it is given."""
        types = {d.type for g in self.guests for d in g.domains}
        return types == {"test"}

    def _guests(self, arch: str | None = None, os_type: str | None = None, domain_type: str | None = None):
        os_type = OS_TYPE_ALIASES.get(os_type, os_type)
        for g in self.guests:
            if (arch and g.arch != arch) or (os_type and g.os_type != os_type):
                continue
            if domain_type and g.domain(domain_type) is None:
                continue
            yield g

    def os_types(self) -> list[str]:
        return _unique(g.os_type for g in self.guests)

    def arches(self, os_type: str | None = None, domain_type: str | None = None) -> list[str]:
        return _unique(g.arch for g in self._guests(None, os_type, domain_type))

    def default_arch(self, os_type: str | None = None, domain_type: str | None = None) -> str | None:
        """The arch libvirt picks when a domain names none: the host's if offered, else the first."""
        arches = self.arches(os_type, domain_type)
        return self.host_arch if self.host_arch in arches else (arches[0] if arches else None)

    def domain_types(self, arch: str | None = None, os_type: str | None = None) -> list[str]:
        return _unique(d.type for g in self._guests(arch, os_type) for d in g.domains)

    def _machine_list(self, arch: str, domain_type: str | None, os_type: str | None) -> list[Machine]:
        out: list[Machine] = []
        for g in self._guests(arch, os_type, domain_type):
            doms = [g.domain(domain_type)] if domain_type else g.domains
            own = [m for d in doms for m in d.machines]
            # A domain type with machines of its own uses those instead of the arch's (as libvirt does).
            out += own if domain_type and own else [*g.machines, *own]
        return out

    def machines(self, arch: str, domain_type: str | None = None, os_type: str | None = None) -> list[str]:
        """Machine names a domain may use: canonical names and their aliases (pc, q35)."""
        return _unique(m.name for m in self._machine_list(arch, domain_type, os_type))

    def canonical(self, arch: str, machine: str) -> str:
        """pc-q35-7.2 for q35; the name itself when it is no alias."""
        return next(
            (m.canonical for m in self._machine_list(arch, None, None) if m.name == machine and m.canonical), machine
        )

    def emulators(self, arch: str, domain_type: str | None = None, os_type: str | None = None) -> list[str]:
        out = []
        for g in self._guests(arch, os_type, domain_type):
            doms = [g.domain(domain_type)] if domain_type else g.domains
            own = [d.emulator for d in doms if d.emulator]
            out += own if domain_type and own else [g.emulator, *own]
        return _unique(e for e in out if e)

    def caps(self, domain_type: str, arch: str, machine: str | None = None) -> DomainCaps | None:
        """Domain capabilities made for this machine, or without one for the default machine."""
        found = [c for c in self.domain_caps if c.domain_type == domain_type and c.arch == arch]
        if machine:
            want = self.canonical(arch, machine)
            return next((c for c in found if self.canonical(arch, c.machine) == want), None)
        return next((c for c in found if c.default_machine), None)

    def any_caps(self, domain_type: str, arch: str, machine: str | None = None) -> DomainCaps | None:
        """For what hardly varies by machine (graphics, video, firmware): the closest ones there are."""
        found = (c for c in self.domain_caps if c.domain_type == domain_type and c.arch == arch)
        return self.caps(domain_type, arch, machine) or self.caps(domain_type, arch) or next(found, None)

    def disk_buses(self, domain_type: str, arch: str, machine: str | None = None) -> list[str] | None:
        """None when unknown: no domain capabilities (or none for this machine); [] when none."""
        c = self.caps(domain_type, arch, machine)
        return None if c is None or c.disk_buses is None else list(c.disk_buses)


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))


# -- parsing ------------------------------------------------------------------------------


def _machines(el: etree._Element) -> tuple[Machine, ...]:
    return tuple(
        Machine((m.text or "").strip(), m.get("canonical") or "")
        for m in el.findall("machine")
        if (m.text or "").strip()
    )


def _guest(el: etree._Element) -> Guest | None:
    arch = el.find("arch")
    if arch is None or not arch.get("name"):
        return None
    domains = tuple(
        GuestDomain(d.get("type"), (d.findtext("emulator") or "").strip(), _machines(d))
        for d in arch.findall("domain")
        if d.get("type")
    )
    return Guest(
        (el.findtext("os_type") or "").strip(),
        arch.get("name"),
        (arch.findtext("emulator") or "").strip(),
        _machines(arch),
        domains,
    )


def _values(el: etree._Element | None) -> tuple[str, ...]:
    return tuple((v.text or "").strip() for v in el.findall("value")) if el is not None else ()


def _enum(root: etree._Element, where: str, name: str) -> tuple[str, ...] | None:
    """The values of <where><enum name=...>: () when <where> is unsupported, None when not said."""
    el = root.find(where)
    if el is None:
        return None
    if el.get("supported") == "no":
        return ()
    enum = el.find(f"enum[@name='{name}']")
    return _values(enum) if enum is not None else None


def _domain_caps(key: str, text: str) -> DomainCaps | None:
    try:
        root = etree.fromstring(text.encode(), parser())
    except etree.XMLSyntaxError:
        return None  # a broken document is as good as none
    parts = key.split()
    os_el = root.find("os")
    cpu = root.find("cpu")
    return DomainCaps(
        domain_type=(root.findtext("domain") or "").strip() or (parts[0] if parts else ""),
        arch=(root.findtext("arch") or "").strip() or (parts[1] if len(parts) > 1 else ""),
        machine=(root.findtext("machine") or "").strip() or (parts[2] if len(parts) > 2 else ""),
        path=(root.findtext("path") or "").strip(),
        os_supported=None if os_el is None else os_el.get("supported") != "no",
        firmware=_enum(root, "os", "firmware"),
        loaders=_values(root.find("os/loader")),
        loader_types=_enum(root, "os/loader", "type"),
        cpu_modes=None if cpu is None else tuple(m.get("name") for m in cpu.findall("mode[@supported='yes']")),
        disk_buses=_enum(root, "devices/disk", "bus"),
        disk_devices=_enum(root, "devices/disk", "diskDevice"),
        video_models=_enum(root, "devices/video", "modelType"),
        graphics_types=_enum(root, "devices/graphics", "type"),
        hostdev_modes=_enum(root, "devices/hostdev", "mode"),
        hostdev_subsys_types=_enum(root, "devices/hostdev", "subsysType"),
        tpm_models=_enum(root, "devices/tpm", "model"),
        tpm_backends=_enum(root, "devices/tpm", "backendModel"),
        features=tuple(f.tag for f in root.iterfind("features/*") if f.get("supported") == "yes"),
        default_machine=len(parts) < 3,  # "<virttype> <arch> <machine>" was asked for that machine
    )


def offer(capabilities_xml: str, domain_caps: dict[str, str] | None = None) -> Offer:
    """What the host runs, from getCapabilities() and {"<virttype> <arch>": getDomainCapabilities()}."""
    root = etree.fromstring(capabilities_xml.encode(), parser())
    guests = tuple(g for g in map(_guest, root.findall("guest")) if g is not None)
    parsed = (_domain_caps(k, v) for k, v in (domain_caps or {}).items() if v and v.strip())
    return Offer(
        host_arch=(root.findtext("host/cpu/arch") or "").strip(),
        guests=guests,
        domain_caps=tuple(c for c in parsed if c is not None),
    )


# -- what a domain asks for that the host lacks ----------------------------------------------


def _key(owner: str, *names: str) -> str:
    """'Class.field' for the first name the class declares; '' when none (the field is not declared)."""
    classes = {c.__name__: c for c in (*SECTIONS, *DEVICES.values())}
    classes.update({tag: c for tag, c in DEVICES.items()})
    cls = classes.get(owner)
    name = next((n for n in names if cls is not None and n in cls.fields), None)
    return f"{cls.__name__}.{name}" if name else ""


VIDEO_MODEL = ("video", "model_type", "model")  # Video.model_type (elements/video.py)


def _shortened(values) -> str:
    values = list(values)
    if not values:
        return "none"
    more = len(values) - SHOWN
    return ", ".join(values[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def _known(value: str | None) -> bool:
    """Set, and not a template parameter: ${...} is only known once rendered."""
    return bool(value) and not PARAMETER.search(value)


def host_problems(root: etree._Element, offer: Offer) -> list[Problem]:
    """Values in a whole <domain> that this host cannot run, OS type and arch first, then devices."""
    if not offer.guests:
        return []  # capabilities said nothing: nothing to hold the domain against
    level = "warning" if offer.lenient else "error"
    out: list[Problem] = []

    def at(el: etree._Element, message: str, field: str, level: str = level) -> None:
        out.append(Problem(level, message, el.getroottree().getpath(el), el.sourceline or None, field))

    dtype = (root.get("type") or "").strip()
    type_el = root.find("os/type")
    os_type = (type_el.text or "").strip() if type_el is not None else ""
    arch = (type_el.get("arch") or "").strip() if type_el is not None else ""
    machine = (type_el.get("machine") or "").strip() if type_el is not None else ""
    os_known, arch_known, type_known = _known(os_type), _known(arch), _known(dtype)

    # OS type: libvirt finds no guest to match otherwise.
    if os_known and not offer.arches(os_type):
        at(
            type_el,
            f"this host cannot run '{os_type}' guests; it offers: {_shortened(offer.os_types())}",
            _key("Boot", "os_type"),
        )
        return out  # arch, type and machine are all per OS type: nothing more to say
    os_filter = os_type if os_known else None

    if arch_known and arch not in offer.arches(os_filter):
        at(
            type_el,
            f"this host cannot run {arch} guests; it offers: {_shortened(offer.arches(os_filter))}",
            _key("Boot", "arch"),
        )
        return out
    if not arch and os_known:
        arch = offer.default_arch(os_filter, dtype if type_known else None) or ""
        arch_known = bool(arch)

    if type_known and arch_known and dtype not in offer.domain_types(arch, os_filter):
        at(
            root,
            f"this host offers no '{dtype}' domains for {arch}; it offers: "
            f"{_shortened(offer.domain_types(arch, os_filter))}",
            _key("General", "domain_type"),
        )
        return out
    if type_known and not arch_known and dtype not in offer.domain_types(None, os_filter):
        at(
            root,
            f"this host offers no '{dtype}' domains; it offers: {_shortened(offer.domain_types(None, os_filter))}",
            _key("General", "domain_type"),
        )
        return out
    if not arch_known:
        return out  # everything below is per arch

    type_filter = dtype if type_known else None
    if _known(machine):
        machines = offer.machines(arch, type_filter, os_filter)
        # An empty list is a driver that lists none (the test driver): it says nothing about any machine.
        if machines and machine not in machines:
            at(
                type_el,
                f"this host has no machine type '{machine}' for {arch}; it offers: {_shortened(machines)}",
                _key("Boot", "machine"),
            )

    emulator_el = root.find("devices/emulator")
    emulator = (emulator_el.text or "").strip() if emulator_el is not None else ""
    if _known(emulator):
        emulators = offer.emulators(arch, type_filter, os_filter)
        if emulators and emulator not in emulators:
            at(
                emulator_el,
                f"the host lists no emulator {emulator} for {arch} (libvirt still uses it if it exists "
                f"there, such as a wrapper script); it lists: {_shortened(emulators)}",
                _key("Emulator", "emulator"),
                "warning",  # QEMU's driver probes any binary it is given: only a missing one fails
            )

    if not type_known:
        return out
    machine = machine if _known(machine) else None
    caps = offer.any_caps(dtype, arch, machine)
    # Which buses a board has depends on it (q35 has no IDE): only capabilities made for this machine tell.
    buses = None if machine is None and type_el.get("machine") else offer.disk_buses(dtype, arch, machine)
    for disk in root.iterfind("devices/disk"):
        target = disk.find("target")
        bus = target.get("bus") if target is not None else None
        if buses is not None and _known(bus) and bus not in buses:
            at(
                disk,
                f"this host's {dtype} guests on {arch} have no '{bus}' disk bus; it offers: {_shortened(buses)}",
                _key("Disk", "target_bus"),
            )
        device = disk.get("device")
        if caps is not None and caps.disk_devices is not None and _known(device) and device not in caps.disk_devices:
            at(
                disk,
                f"this host cannot attach a disk as '{device}'; it offers: {_shortened(caps.disk_devices)}",
                _key("Disk", "device"),
            )
    if caps is None:
        return out

    if caps.graphics_types is not None:
        for g in root.iterfind("devices/graphics"):
            kind = g.get("type")
            if _known(kind) and kind not in caps.graphics_types:
                at(
                    g,
                    f"this host has no '{kind}' graphics; it offers: {_shortened(caps.graphics_types)}",
                    _key("Graphics", "type"),
                )

    if caps.video_models is not None:
        for model in root.iterfind("devices/video/model"):
            kind = model.get("type")
            if _known(kind) and kind not in caps.video_models:
                at(
                    model.getparent(),
                    f"this host has no '{kind}' video model; it offers: {_shortened(caps.video_models)}",
                    _key(*VIDEO_MODEL),
                )

    # UEFI: firmware='efi' needs a firmware the host describes; a pflash loader needs pflash.
    os_el = root.find("os")
    loader = root.find("os/loader")
    unsupported = caps.os_supported is False  # the host boots no firmware choice at all
    firmware_offered = () if unsupported else caps.firmware
    loader_offered = () if unsupported else caps.loader_types
    wants_efi = os_el is not None and os_el.get("firmware") == "efi"
    if wants_efi and firmware_offered is not None and "efi" not in firmware_offered:
        at(
            os_el,
            f"this host has no UEFI firmware for {dtype} guests on {arch}; it offers: {_shortened(firmware_offered)}",
            _key("Boot", "firmware"),
        )
        return out  # the loader below would only repeat it
    wants_pflash = loader is not None and loader.get("type") == "pflash"
    if wants_pflash and loader_offered is not None and "pflash" not in loader_offered:
        at(
            loader,
            f"this host cannot load a pflash (UEFI) firmware; it offers: {_shortened(loader_offered)}",
            _key("Boot", "loader_type"),
        )
    return out


# -- for the editor ---------------------------------------------------------------------


def choices(offer: Offer, arch: str | None = None, domain_type: str | None = None) -> dict[str, list[str]]:
    """The host's values per declared field ("Boot.machine": [...]), for datalists and selects.

    Without an arch, the one libvirt would pick; without a domain type, every type's values.
    A key is left out where the host did not say (no domain capabilities): the declared choices
    apply there. An empty list means the host offers none.
    """
    out: dict[str, list[str]] = {
        _key("Boot", "os_type"): offer.os_types(),
        _key("Boot", "arch"): offer.arches(None, domain_type),
        _key("General", "domain_type"): offer.domain_types(arch),
    }
    arch = arch or offer.default_arch("hvm", domain_type) or offer.default_arch(None, domain_type)
    if arch:
        # A driver that lists no machines (the test driver) takes any: no list, rather than an empty one.
        for key, values in (
            (_key("Boot", "machine"), offer.machines(arch, domain_type)),
            (_key("Emulator", "emulator"), offer.emulators(arch, domain_type)),
        ):
            if values:
                out[key] = values
        types = [domain_type] if domain_type else offer.domain_types(arch)
        found = [c for c in (offer.any_caps(t, arch) for t in types) if c is not None]
        for key, attr in (
            (_key("Disk", "target_bus"), "disk_buses"),
            (_key("Disk", "device"), "disk_devices"),
            (_key("Graphics", "type"), "graphics_types"),
            (_key(*VIDEO_MODEL), "video_models"),
        ):
            said = [getattr(c, attr) for c in found if getattr(c, attr) is not None]
            if said:
                out[key] = _unique(v for values in said for v in values)
        loaders = _unique(v for c in found for v in c.loaders)
        if loaders:
            out[_key("Boot", "loader")] = loaders
    out.pop("", None)  # a field not declared (video): nothing for the editor to fill
    return {k: v for k, v in out.items() if k}
