"""<controller>: the buses devices hang off (USB, PCI, virtio-serial, SCSI ...)."""

from ..element import Device
from ..fields import Attr, Choice, Int

TYPES = ("usb", "pci", "virtio-serial", "scsi", "sata", "ide", "ccid", "fdc", "xenbus", "isa")
USB_MODELS = (
    *("qemu-xhci", "nec-xhci", "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2"),
    *("ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "qusb1", "qusb2", "none"),
)
PCI_MODELS = (
    *("pci-root", "pcie-root", "pcie-root-port", "pci-bridge", "dmi-to-pci-bridge", "pcie-to-pci-bridge"),
    *("pcie-switch-upstream-port", "pcie-switch-downstream-port", "pci-expander-bus", "pcie-expander-bus"),
)
SCSI_MODELS = (
    *("virtio-scsi", "lsilogic", "lsisas1068", "lsisas1078", "buslogic", "ibmvscsi", "vmpvscsi", "auto"),
    *("virtio-transitional", "virtio-non-transitional", "am53c974", "dc390"),
)
VIRTIO_MODELS = ("virtio", "virtio-transitional", "virtio-non-transitional")


class Controller(Device):
    tag = "controller"
    label = "Controller"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("controllers",)
    starter = {"type": "usb", "usb_model": "qemu-xhci"}

    type = Attr(
        "@type",
        Choice(*TYPES),
        label="Bus type",
        required=True,
        # The page's one sentence on type and index ends "controller attributes of <address>
        # elements", so the reader files it under (address, controller): it is about these two.
        doc=("address", "controller"),
        help="Which kind of bus this controller provides; the devices on it name it by this type and its index.",
    )
    index = Attr(
        "@index",
        Int(min=0),
        label="Index",
        doc=("address", "controller"),
        help="Number of this controller among those of its type, from 0. Empty lets libvirt take the lowest free one.",
    )
    # One attribute, a list of models per bus type: each shown only for its type.
    usb_model = Attr(
        "@model",
        Choice(*USB_MODELS),
        label="USB model",
        help="Emulated USB chip. qemu-xhci (USB 3) suits modern guests; none turns the guest's USB bus off.",
        when={"type": ("usb",)},
        doc=("usb", "model"),  # "A usb controller has an optional attribute model ..."
    )
    pci_model = Attr(
        "@model",
        Choice(*PCI_MODELS),
        label="PCI model",
        help="Role in the PCI tree: pci-root or pcie-root (q35) is the root bus; root ports and bridges add "
        "slots for more devices, and hot-plug.",
        when={"type": ("pci",)},
    )
    scsi_model = Attr(
        "@model",
        Choice(*SCSI_MODELS),
        label="SCSI model",
        help="Emulated SCSI adapter. virtio-scsi is the fast paravirtual one for KVM guests.",
        when={"type": ("scsi",)},
        doc=("scsi", "model"),
    )
    serial_model = Attr(
        "@model",
        Choice(*VIRTIO_MODELS),
        label="virtio-serial model",
        help="Plain virtio, or a transitional variant that also works with older guest drivers.",
        when={"type": ("virtio-serial",)},
        doc=("virtio-serial", "model"),
    )
    usb_ports = Attr(
        "@ports",
        Int(min=1),
        label="Ports",
        help="How many USB devices the controller can take (xhci models).",
        when={"type": ("usb",)},
        doc=("usb", "ports"),
    )
    serial_ports = Attr(
        "@ports",
        Int(min=1),
        label="Ports",
        help="How many channels and consoles the virtio-serial controller can take.",
        when={"type": ("virtio-serial",)},
        doc=("virtio-serial", "ports"),
    )
    vectors = Attr(
        "@vectors",
        Int(min=1),
        label="Interrupt vectors",
        help="Number of MSI interrupt vectors the virtio-serial controller gets.",
        when={"type": ("virtio-serial",)},
        doc=("virtio-serial", "vectors"),
    )
    driver_queues = Attr(
        "driver/@queues",
        Int(min=1),
        label="Queues",
        help="Number of request queues of a virtio SCSI adapter; one per vCPU performs best.",
        when={"type": ("scsi",)},
        doc=("", "queues"),  # a term of the page's list of <driver> options
    )
    driver_iothread = Attr(
        "driver/@iothread",
        Int(min=1),
        label="I/O thread",
        help="Run the virtio-scsi adapter in this I/O thread of the guest (1 up to the domain's iothreads count).",
        when={"type": ("scsi",)},
        doc=("", "iothread"),
    )

    def summary(self) -> str:
        v = self.values()
        model = v["usb_model"] or v["pci_model"] or v["scsi_model"] or v["serial_model"]
        return " ".join(filter(None, [self["type"], model, f"#{self['index'] or '0'}"]))

    @classmethod
    def fresh(cls, siblings):
        """A USB 3 controller on the lowest USB index not taken yet."""
        used = {n.get("index") for n in siblings if n.tag == "controller" and n.get("type") == "usb"}
        index = next(i for i in range(len(used) + 1) if str(i) not in used)
        return cls.new({**cls.starter, "index": str(index)})
