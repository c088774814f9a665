"""<redirdev>: a USB device of the SPICE client's machine, redirected into the guest."""

from ..element import Device
from ..fields import Attr, Choice, Str


class Redirdev(Device):
    tag = "redirdev"
    label = "USB redirection"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("redirected-devices", "device-addresses")
    starter = {"bus": "usb", "type": "spicevmc"}

    bus = Attr(
        "@bus",
        Choice("usb"),
        label="Bus",
        doc=("devices", "redirdev"),  # the element's definition says what bus must be
        required=True,
        help="The guest bus the redirected device appears on; libvirt only redirects USB devices.",
    )
    type = Attr(
        "@type",
        Choice("spicevmc"),  # tcp (a usbredir server) is not offered yet: it needs source host and service fields
        label="Redirected from",
        required=True,
        help="spicevmc: USB devices plugged into the machine running the SPICE client (the guest "
        "needs SPICE graphics).",
    )
    address_bus = Attr(
        "address[@type='usb']/@bus",
        Str(pattern=r"(0x[0-9a-fA-F]+|[0-9]+)", hint="a bus number such as 0"),
        label="Guest USB bus",
        doc=("", "usb"),  # what a USB address holds
        help="Which of the guest's USB controllers it is plugged into (by index); empty lets libvirt choose.",
    )
    address_port = Attr(
        "address[@type='usb']/@port",
        Str(pattern=r"[0-9]+(\.[0-9]+){0,3}", hint="a port such as 1 or 1.2"),
        label="Guest USB port",
        doc=("", "usb"),
        help="The port on that controller, dotted for ports behind hubs (1.2); empty lets libvirt choose.",
    )

    def summary(self) -> str:
        v = self.values()
        port = f" on port {v['address_port']}" if v["address_port"] else ""
        return f"USB redirection ({v['type']}){port}"

    @classmethod
    def fresh(cls, siblings):
        """SPICE redirection; a second one and after take the next guest USB port, so each is told apart."""
        count = sum(1 for n in siblings if n.tag == cls.tag)
        if not count:
            return cls.new(dict(cls.starter))
        return cls.new({**cls.starter, "address_bus": "0", "address_port": str(count + 1)})
