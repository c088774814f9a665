"""<hostdev>: a PCI or USB device of the host handed to the guest (subsystem mode)."""

from ..element import Device
from ..fields import Attr, Choice, Str, YesNo

_HEX_OR_DEC = r"(0x[0-9a-fA-F]{1,%d}|[0-9]+)"


def _number(digits: int, what: str) -> Str:
    return Str(pattern=_HEX_OR_DEC % digits, hint=f"a {what} in hex (0x...) or decimal")


_USB_ID = Str(pattern=r"0x[0-9a-fA-F]{4}", hint="four hex digits after 0x, as lsusb shows them (0x046d)")


class Hostdev(Device):
    tag = "hostdev"
    label = "Host device"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("usb-pci-scsi-devices", "host-device-assignment", "device-addresses")
    starter = {"mode": "subsystem", "type": "pci", "managed": "yes", "pci_domain": "0x0000", "pci_bus": "0x01",
               "pci_slot": "0x00", "pci_function": "0x0"}  # fmt: skip

    mode = Attr(
        "@mode",
        Choice("subsystem"),
        label="Mode",
        required=True,
        help="subsystem: a whole PCI or USB device of the host, found by its address or ids.",
    )
    type = Attr(
        "@type",
        Choice("pci", "usb"),
        label="Device type",
        required=True,
        help="pci: a PCI card or function (GPU, NIC, NVMe ...) through VFIO. usb: a USB device plugged into the host.",
    )
    managed = Attr(
        "@managed",
        YesNo(),
        label="Managed",
        default="no",
        help="yes: libvirt unbinds the device from its host driver when the guest starts and gives "
        "it back afterwards. no: you detach it yourself first (virsh nodedev-detach).",
    )
    usb_vendor = Attr(
        "source/vendor/@id",
        _USB_ID,
        label="Vendor id",
        help="USB vendor id of the device, e.g. 0x046d; with the product id it finds the device "
        "wherever it is plugged.",
        when={"type": ("usb",)},
    )
    usb_product = Attr(
        "source/product/@id",
        _USB_ID,
        label="Product id",
        help="USB product id of the device, e.g. 0xc52b (lsusb shows vendor:product).",
        when={"type": ("usb",)},
    )
    pci_domain = Attr(
        "source/address/@domain",
        _number(4, "PCI domain"),
        label="PCI domain",
        doc=("", "pci"),  # what a PCI address holds
        help="First part of the host's PCI address (0000 in 0000:06:00.1 as lspci -D shows it), written 0x0000.",
        when={"type": ("pci",)},
    )
    pci_bus = Attr(
        "source/address/@bus",
        _number(2, "bus number"),
        label="PCI bus",
        doc=("", "pci"),
        help="The bus of the host's PCI address (06 in 0000:06:00.1), written 0x06.",
        when={"type": ("pci",)},
        required_when={"type": ("pci",)},
    )
    usb_bus = Attr(
        "source/address/@bus",
        _number(3, "bus number"),
        label="USB bus",
        help="The host's USB bus number (Bus 001 in lsusb), to pick one device among several with the same ids.",
        when={"type": ("usb",)},
    )
    usb_device = Attr(
        "source/address/@device",
        _number(3, "device number"),
        label="USB device number",
        help="The device number lsusb shows on that bus (Device 003). It changes when the device is re-plugged.",
        when={"type": ("usb",)},
    )
    pci_slot = Attr(
        "source/address/@slot",
        _number(2, "slot number"),
        label="PCI slot",
        doc=("", "pci"),  # what a PCI address holds
        help="The slot of the host address (00 in 0000:06:00.1), written 0x00.",
        when={"type": ("pci",)},
        required_when={"type": ("pci",)},
    )
    pci_function = Attr(
        "source/address/@function",
        _number(1, "function number"),
        label="PCI function",
        doc=("", "pci"),  # what a PCI address holds
        help="The function of the host address (1 in 0000:06:00.1), written 0x1.",
        when={"type": ("pci",)},
        required_when={"type": ("pci",)},
    )

    def summary(self) -> str:
        v = self.values()
        if v["type"] == "usb":
            ids = ":".join(filter(None, [v["usb_vendor"], v["usb_product"]]))
            return f"USB host device {ids}".strip()
        parts = [v["pci_domain"], v["pci_bus"], v["pci_slot"]]
        where = ":".join(p.removeprefix("0x") for p in parts if p)
        return f"PCI host device {where}.{(v['pci_function'] or '').removeprefix('0x')}".rstrip(".")

    @classmethod
    def fresh(cls, siblings):
        """A managed PCI device on the first host bus no other hostdev uses: a placeholder to adjust."""
        used = {a.get("bus") for n in siblings if n.tag == cls.tag for a in n.iterfind("source/address")}
        bus = next(f"0x{b:02x}" for b in range(1, 256 + len(used)) if f"0x{b:02x}" not in used)
        return cls.new({**cls.starter, "pci_bus": bus})
