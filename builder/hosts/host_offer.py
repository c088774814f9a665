"""What a host can run, read from its libvirt capabilities.

`offer()` reads what `remote.op_capabilities` fetched: getCapabilities() (guest OS types, arches,
domain types, emulators, machine types) and, per "<virttype> <arch>", getDomainCapabilities()
(disk buses, video models, graphics types, firmware ...) where the driver has them. The Offer it
returns answers what the checks (offer_checks) and the editor's choices (host_choices) ask.

Unknown is not none: where the host did not say (no domain capabilities, an element an older
libvirt does not write), the helpers return None.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

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
        return unique(g.os_type for g in self.guests)

    def arches(self, os_type: str | None = None, domain_type: str | None = None) -> list[str]:
        return unique(g.arch for g in self._guests(None, os_type, domain_type))

    def default_arch(self, os_type: str | None = None, domain_type: str | None = None) -> str | None:
        """The arch libvirt picks when a domain names none: the host's if offered, else the first."""
        arches = self.arches(os_type, domain_type)
        return self.host_arch if self.host_arch in arches else (arches[0] if arches else None)

    def domain_types(self, arch: str | None = None, os_type: str | None = None) -> list[str]:
        return unique(d.type for g in self._guests(arch, os_type) for d in g.domains)

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
        return unique(m.name for m in self._machine_list(arch, domain_type, os_type))

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
        return unique(e for e in out if e)

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


def unique(values) -> list[str]:
    """In first-seen order, once each."""
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
