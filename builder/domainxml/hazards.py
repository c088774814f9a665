"""What in a domain reaches outside the guest: host files, host devices, programs run on the host.

Each check finds one kind of hazard in a <domain> and names the host policy switch that would allow
it (builder.hosts.policy judges them against a host). Without a host, `warnings` says the same as
warnings, for import and the editor.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from .elements import Boot, Disk, Emulator, Filesystem, Hostdev, Interface, Serial
from .fields import PARAMETER
from .validate import Problem

# libvirt's hypervisor passthrough namespaces: their elements hand text straight to the hypervisor.
PASSTHROUGH_NAMESPACES = {
    "http://libvirt.org/schemas/domain/qemu/1.0": "qemu",
    "http://libvirt.org/schemas/domain/xen/1.0": "xen",
    "http://libvirt.org/schemas/domain/lxc/1.0": "lxc",
    "http://libvirt.org/schemas/domain/bhyve/1.0": "bhyve",
}
# Where a host keeps guest images and firmware by convention: without a host, only paths elsewhere
# are worth a warning (a disk in /var/lib/libvirt/images is what every guest has).
USUAL_PLACES = (
    "/var/lib/libvirt",
    "/usr/share/OVMF",
    "/usr/share/AAVMF",
    "/usr/share/qemu",
    "/usr/share/edk2",
    "/usr/share/seabios",
    "/usr/lib/xen/boot",
    "/var/lib/xen/images",
)
# Xen's own network scripts, found in the host's /etc/xen/scripts: the host's programs, not the guest's.
XEN_SCRIPTS = frozenset(
    path
    for name in ("vif-bridge", "vif-route", "vif-nat", "vif-openvswitch")
    for path in (name, f"/etc/xen/scripts/{name}")
)
RANDOM_SOURCES = ("/dev/urandom", "/dev/random", "/dev/hwrng")

COMMANDS = "runs commands on the host"
RUNS = "runs a program on the host"
READS = "reads a host file"
WRITES = "writes a host file"
DEVICE = "uses a host device"
NETWORK = "uses the host's network devices directly"
CONFINEMENT = "changes how the host confines the guest"


@dataclass(frozen=True)
class Hazard:
    el: etree._Element
    what: str  # RUNS, READS, ...
    detail: str
    field: str = ""  # the declared field, for the editor
    switch: str | None = None  # the policy switch that allows it; None: only a trusted host
    path: str | None = None  # a host path that must lie in a pool or an allowed directory


CHECKS: list[Callable[[etree._Element], Iterator[Hazard]]] = []


def check(fn):
    CHECKS.append(fn)
    return fn


def _key(cls, name: str) -> str:
    return cls.fields[name].key  # a KeyError here is a renamed field: loud, at import


SOURCE_FILE, SOURCE_DEV = _key(Disk, "source_file"), _key(Disk, "source_dev")
BOOT = {tag: _key(Boot, tag) for tag in ("kernel", "initrd", "loader", "nvram")}
BOOTLOADER, EMULATOR = _key(Boot, "bootloader"), _key(Emulator, "emulator")
FS_SOURCE, FS_BINARY = _key(Filesystem, "source_dir"), _key(Filesystem, "binary_path")
HOSTDEV_TYPE, NIC_TYPE, NIC_SCRIPT = _key(Hostdev, "type"), _key(Interface, "type"), _key(Interface, "script")
CHAR_TYPE = _key(Serial, "type")


def _known(value: str | None) -> bool:
    return bool(value) and not PARAMETER.search(value)


@check
def passthrough(root):
    seen = set()
    for el in root:  # they are children of <domain>
        if not isinstance(el.tag, str) or el.tag in seen:
            continue
        ns = etree.QName(el).namespace
        if ns in PASSTHROUGH_NAMESPACES:
            seen.add(el.tag)
            name = f"{PASSTHROUGH_NAMESPACES[ns]}:{etree.QName(el).localname}"
            yield Hazard(
                el, COMMANDS, f"<{name}> hands its contents to the hypervisor unchecked", "", "allow_passthrough"
            )


@check
def programs(root):
    emulator = root.find("devices/emulator")
    if emulator is not None and _known(emulator.text):
        yield Hazard(emulator, RUNS, f"the emulator {emulator.text.strip()}", EMULATOR, "emulator")
    bootloader = root.find("bootloader")
    if bootloader is not None and _known(bootloader.text):
        yield Hazard(bootloader, RUNS, f"the boot loader {bootloader.text.strip()}", BOOTLOADER, "allow_passthrough")
    for nic in root.iterfind("devices/interface"):
        for tag in ("script", "downscript"):
            script = nic.find(tag)
            path = script.get("path") if script is not None else None
            if _known(path) and path not in XEN_SCRIPTS:
                yield Hazard(nic, RUNS, f"the script {path}", NIC_SCRIPT, "allow_passthrough")
    for fs in root.iterfind("devices/filesystem"):
        binary = fs.find("binary")
        if binary is not None and _known(binary.get("path")):
            yield Hazard(fs, RUNS, f"the program {binary.get('path')}", FS_BINARY, "allow_passthrough")


@check
def boot_files(root):
    for tag in ("kernel", "initrd", "dtb", "loader", "nvram"):
        for el in root.iterfind(f"os/{tag}"):
            if _known(el.text):
                yield Hazard(el, READS, f"its {tag} {el.text.strip()}", BOOT.get(tag, ""), path=el.text.strip())
            if tag == "nvram" and _known(el.get("template")):
                yield Hazard(
                    el, READS, f"its NVRAM template {el.get('template')}", BOOT["nvram"], path=el.get("template")
                )


@check
def disks(root):
    for disk in root.iterfind("devices/disk"):
        kind = disk.get("type") or "file"
        if kind in ("block",):
            for source in disk.iter("source"):
                if _known(source.get("dev")):
                    detail = f"the block device {source.get('dev')}"
                    yield Hazard(disk, DEVICE, detail, SOURCE_DEV, "allow_block_devices")
        elif kind == "nvme":
            yield Hazard(disk, DEVICE, "a host NVMe controller", "", "allow_host_devices")
        elif kind == "volume":
            source = disk.find("source")
            pool = source.get("pool") if source is not None else None
            if _known(pool):
                yield Hazard(disk, READS, f"a volume of the pool {pool}", "", path=f"pool:{pool}")
        for source in disk.iter("source"):
            for attr in ("file", "dir"):
                if _known(source.get(attr)):
                    yield Hazard(disk, READS, f"the file {source.get(attr)}", SOURCE_FILE, path=source.get(attr))


@check
def filesystems(root):
    for fs in root.iterfind("devices/filesystem"):
        kind = fs.get("type") or "mount"
        source = fs.find("source")
        where = next(
            (source.get(a) for a in ("dir", "file", "dev", "name") if source is not None and source.get(a)), ""
        )
        if kind == "block":
            yield Hazard(fs, DEVICE, f"the block device {where}", FS_SOURCE, "allow_block_devices")
        elif kind == "mount":
            detail = f"the host directory {where or '(none given)'} shared with the guest"
            yield Hazard(fs, READS, detail, FS_SOURCE, "allow_filesystem_passthrough", where if _known(where) else None)
        elif kind == "file" and _known(where):
            yield Hazard(fs, READS, f"the image {where}", FS_SOURCE, path=where)


@check
def host_devices(root):
    for dev in root.iterfind("devices/hostdev"):
        kind = dev.get("type") or dev.get("mode") or ""
        yield Hazard(dev, DEVICE, f"a host {kind} device passed through", HOSTDEV_TYPE, "allow_host_devices")
    for inp in root.iterfind("devices/input"):
        if inp.get("type") in ("passthrough", "evdev"):
            yield Hazard(inp, DEVICE, "a host input device", "", "allow_host_devices")
    for tpm in root.iterfind("devices/tpm"):
        backend = tpm.find("backend")
        if backend is not None and backend.get("type") == "passthrough":
            yield Hazard(tpm, DEVICE, "the host's TPM", "", "allow_host_devices")
    for card in root.iterfind("devices/smartcard"):
        if card.get("mode") in ("host", "host-certificates", "passthrough"):
            yield Hazard(card, DEVICE, "the host's smartcard reader", "", "allow_host_devices")
    for rng in root.iterfind("devices/rng/backend"):
        if rng.get("model") == "random" and _known(rng.text) and rng.text.strip() not in RANDOM_SOURCES:
            yield Hazard(rng.getparent(), DEVICE, f"the host device {rng.text.strip()}", "", "allow_host_devices")


@check
def networks(root):
    for nic in root.iterfind("devices/interface"):
        if nic.get("type") in ("direct", "hostdev", "vdpa", "vhostuser", "ethernet"):
            detail = f"an interface of type {nic.get('type')}"
            yield Hazard(nic, NETWORK, detail, NIC_TYPE, "allow_direct_network")


@check
def char_devices(root):
    for dev in root.iterfind("devices/*"):
        if dev.tag not in ("serial", "parallel", "console", "channel"):
            continue
        kind = dev.get("type") or ""
        source = dev.find("source")
        path = source.get("path") if source is not None else None
        if kind in ("file", "dev", "pipe") or (kind == "unix" and _known(path)):
            detail = f"a {dev.tag} on the host's {kind} {path or ''}".rstrip()
            yield Hazard(dev, DEVICE if kind == "dev" else WRITES, detail, CHAR_TYPE, "allow_host_chardevs")


@check
def confinement(root):
    for label in root.iter("seclabel"):
        if label.getparent() is root:  # the guest's own: none or static turn the host's confinement off
            relaxed = label.get("type") in ("none", "static") or label.get("relabel") == "no"
        else:  # a device's: its own label, or none put on the file
            relaxed = label.get("relabel") == "no" or label.find("label") is not None
        if relaxed:
            yield Hazard(label, CONFINEMENT, "a security label of its own", "", None)


def hazards(root: etree._Element) -> list[Hazard]:
    return [h for fn in CHECKS for h in fn(root)]


def problem(el: etree._Element, level: str, message: str, field_key: str) -> Problem:
    return Problem(level, message, el.getroottree().getpath(el), el.sourceline or None, field_key)


def warnings(root: etree._Element) -> list[Problem]:
    """Without a host: what reaches outside the guest, said as warnings. A path in the places hosts
    keep images and firmware is not worth one; the emulator only when it is not QEMU's or Xen's own."""
    out = []
    for h in hazards(root):
        if h.switch is None and h.path is not None and _usual(h.path):
            continue
        if h.switch == "emulator" and _usual_emulator(h.el.text.strip()):
            continue
        out.append(problem(h.el, "warning", f"{h.what}: {h.detail}", h.field))
    return out


def _usual(path: str) -> bool:
    if path.startswith("pool:"):
        return True
    path = posixpath.normpath(path)
    return path.startswith("/") and any(path.startswith(p + "/") for p in USUAL_PLACES)


def _usual_emulator(path: str) -> bool:
    return posixpath.normpath(path) in {
        "/usr/bin/qemu-kvm",
        "/usr/libexec/qemu-kvm",
        *(f"/usr/bin/qemu-system-{a}" for a in ("x86_64", "i386", "aarch64", "arm", "ppc64", "s390x", "riscv64")),
        "/usr/lib/xen/bin/qemu-dm",
        "/usr/lib/xen/bin/qemu-system-i386",
        "/usr/lib/libvirt/libvirt_lxc",
    }
