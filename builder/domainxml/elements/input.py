"""<input>: mouse, tablet and keyboard devices."""

from ..element import Device
from ..fields import Attr, Choice


class Input(Device):
    tag = "input"
    label = "Input device"
    section = "elementsInput"
    doc_sections = ("input-devices",)
    starter = {"type": "tablet", "bus": "usb"}

    type = Attr(
        "@type",
        Choice("mouse", "tablet", "keyboard", "passthrough", "evdev"),
        label="Type",
        required=True,
        help="mouse reports relative movement; tablet reports absolute positions, so the pointer "
        "follows a graphical console without grabbing.",
    )
    bus = Attr(
        "@bus",
        Choice("ps2", "usb", "virtio", "xen"),
        label="Bus",
        help="How the device is attached: xen for Xen paravirtualized guests only; ps2 or usb for "
        "full virtual machines.",
    )

    def summary(self) -> str:
        return f"{self['type']} ({self['bus'] or 'auto'})"
