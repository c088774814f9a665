"""<disk>: hard drives, CD-ROMs and floppies."""

from ..element import Device
from ..fields import Attr, Choice, Int, Path, Str

BUSES = ("virtio", "sata", "scsi", "ide", "usb", "xen", "fdc", "sd")


class Disk(Device):
    tag = "disk"
    label = "Disk"
    section = "elementsDisks"
    doc_sections = ("hard-drives-floppy-disks-cdroms",)
    starter = {"type": "file", "device": "disk", "driver_name": "qemu", "driver_type": "qcow2", "target_bus": "virtio"}

    type = Attr(
        "@type",
        Choice("file", "block"),  # others (network, volume ...) have sources the form does not offer yet
        label="Source type",
        default="file",
        help="Where the data lives on the host: file for an image file, block for a block device.",
    )
    device = Attr(
        "@device",
        Choice("disk", "cdrom", "floppy", "lun"),
        label="Device",
        default="disk",
        help="How the guest sees it: hard disk, CD-ROM or floppy drive.",
    )
    driver_name = Attr(
        "driver/@name",
        Str(pattern=r"[\w-]+", hint="a driver name such as qemu"),
        label="Driver",
        help="Backend driver on the host: qemu for QEMU/KVM; tap, tap2, phy or file for Xen.",
    )
    driver_type = Attr(
        "driver/@type",
        Str(pattern=r"[\w-]+", hint="a format such as raw or qcow2"),
        label="Image format",
        help="Format or sub-type for the driver: raw or qcow2 for qemu; aio for Xen's tap (libvirt reads aio as raw).",
    )
    driver_cache = Attr(
        "driver/@cache",
        Choice("default", "none", "writethrough", "writeback", "directsync", "unsafe"),
        label="Cache mode",
        help="How the host caches the image: none bypasses the host's page cache (safe and fast for "
        "most KVM guests); writeback is fastest but loses data on a host crash if the guest did not flush.",
    )
    driver_discard = Attr(
        "driver/@discard",
        Choice("unmap", "ignore"),
        label="Discard",
        help="unmap passes the guest's TRIM requests on so a sparse image shrinks again; ignore drops them.",
    )
    driver_io = Attr(
        "driver/@io",
        Choice("threads", "native", "io_uring"),
        label="I/O mode",
        help="How QEMU submits I/O on the host: native (Linux AIO, with cache none), threads, or io_uring.",
    )
    source_file = Attr(
        "source/@file",
        Path(),
        label="Image file",
        help="Absolute path of the image file on the host.",
        when={"type": ("file",)},
        required_when={"type": ("file",), "device": ("disk", "lun")},  # a CD-ROM may be empty
    )
    source_dev = Attr(
        "source/@dev",
        Path(),
        label="Host device",
        help="Absolute path of the host block device, e.g. /dev/vg0/guest.",
        when={"type": ("block",)},
        required_when={"type": ("block",), "device": ("disk", "lun")},
    )
    target_dev = Attr(
        "target/@dev",
        Str(pattern=r"[a-z]+[a-z0-9]*", hint="a device name such as vda, sda or hdc"),
        label="Target device",
        required=True,
        help="Name the guest is told, e.g. vda, sda, hda. Only an ordering hint: the guest OS may "
        "name it differently. Without a bus, libvirt infers one from the prefix.",
    )
    target_bus = Attr(
        "target/@bus",
        Choice(*BUSES),
        label="Bus",
        help="Controller the disk is attached to. virtio is fastest for KVM guests; sata suits "
        "guests without virtio drivers (Windows installers) and q35 machines, which have no IDE.",
    )

    boot_order = Attr(
        "boot/@order",
        Int(min=1),
        label="Boot order",
        help="Position of this disk in the boot sequence (1 first). Cannot be mixed with the boot "
        "order of OS and boot: use one or the other.",
    )

    def summary(self) -> str:
        src = self["source_file"] or self["source_dev"] or ""
        return f"{self['device'] or 'disk'} {self['target_dev'] or '?'} ({self['target_bus'] or 'auto'}) {src}".strip()

    @classmethod
    def fresh(cls, siblings):
        """A new virtio disk on the next free name (vda, vdb ...), with an image path to adjust."""
        used = {n.find("target").get("dev") for n in siblings if n.tag == "disk" and n.find("target") is not None}
        dev = next_free_name("vd", used)
        return cls.new({**cls.starter, "target_dev": dev, "source_file": f"/var/lib/libvirt/images/{dev}.qcow2"})


def next_free_name(prefix: str, used: set[str]) -> str:
    """prefix + a, b, ... z, aa, ab ...: the naming Linux and libvirt use for disks."""
    n = 0
    while True:
        suffix, k = "", n
        while True:
            suffix = chr(97 + k % 26) + suffix
            k = k // 26 - 1
            if k < 0:
                break
        if prefix + suffix not in used:
            return prefix + suffix
        n += 1
