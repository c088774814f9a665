"""<interface>: network cards and how they connect on the host."""

from ..element import Device
from ..fields import Attr, Choice, Ignored, Int, Mac, Str

RESERVED_TAP_PREFIXES = ("vnet", "vif", "macvtap", "macvlan")


class TapName(Str):
    """A host-side device name; libvirt ignores names with the prefixes it generates itself."""

    def clean(self, text: str) -> str:
        text = super().clean(text)
        for prefix in RESERVED_TAP_PREFIXES:
            if text.startswith(prefix):
                raise Ignored(
                    f"names starting with '{prefix}' are reserved: libvirt ignores '{text}' and picks its own name"
                )
        return text


class Interface(Device):
    tag = "interface"
    label = "Network interface"
    section = "elementsNICS"
    doc_sections = ("network-interfaces",)
    starter = {"type": "network", "source_network": "default"}
    per_guest = ("mac",)

    type = Attr(
        "@type",
        Choice("network", "bridge", "user", "ethernet", "mcast", "server", "client"),
        label="Connection",
        required=True,
        help="network: a libvirt virtual network (NAT by default). bridge: a host bridge onto the "
        "LAN. user: QEMU's user-mode stack, for unprivileged use. ethernet: a tap device set up by "
        "a script. mcast, server, client: tunnels between guests.",
    )
    mac = Attr(
        "mac/@address",
        Mac(),
        label="MAC address",
        help="Hardware address of the card. Must be unicast; empty lets libvirt generate 52:54:00:xx:xx:xx.",
    )
    source_network = Attr(
        "source/@network",
        Str(pattern=r"[^/]+", hint="a network name"),
        label="Virtual network",
        wrong_in_2008=True,  # "192.168.22.0"
        help="Name of a libvirt virtual network on the host. 'default' NATs to the host's route "
        "and hands out addresses in 192.168.122.0/24.",
        when={"type": ("network",)},
        required_when={"type": ("network",)},
    )
    source_bridge = Attr(
        "source/@bridge",
        Str(pattern=r"[\w.:-]+", hint="a bridge name such as br0"),
        label="Host bridge",
        help="Name of an existing bridge device on the host, such as br0.",
        when={"type": ("bridge",)},
        required_when={"type": ("bridge",)},
    )
    source_address = Attr(
        "source/@address",
        Str(pattern=r"[0-9a-fA-F.:]+", hint="an IP address"),
        label="Tunnel address",
        help="IP address of the tunnel: a multicast group for mcast, the server's address for server and client.",
        when={"type": ("mcast", "server", "client")},
        required_when={"type": ("mcast", "client")},
    )
    source_port = Attr(
        "source/@port",
        Int(min=1, max=65535),
        label="Tunnel port",
        help="Port number of the tunnel, the same on every guest that joins it.",
        when={"type": ("mcast", "server", "client")},
        required_when={"type": ("mcast", "server", "client")},
    )
    script = Attr(
        "script/@path",
        Str(pattern=r"\S+", hint="a script name or path"),
        label="Script",
        help="Script the host runs to attach the device to the network (ethernet, or Xen's vif-bridge).",
        when={"type": ("ethernet", "bridge")},
    )
    target_dev = Attr(
        "target/@dev",
        TapName(pattern=r"[\w.-]{1,15}", hint="a device name of at most 15 characters"),
        label="Host device name",
        help="Name of the tap device on the host. Names starting with vnet, vif, macvtap or "
        "macvlan are reserved: libvirt replaces them.",
    )

    model = Attr(
        "model/@type",
        Str(pattern=r"[\w-]+", hint="a model name such as virtio, e1000e or rtl8139"),
        doc=("interface", "model"),  # no sentence names it (the teaming one is not about it)
        label="Card model",
        help="Emulated network card. virtio is fastest but needs drivers in the guest (Linux has "
        "them; Windows needs virtio-win); e1000e and rtl8139 work in most guests as they are.",
    )
    driver_name = Attr(
        "driver/@name",
        Choice("qemu", "vhost"),
        label="Backend driver",
        doc=("", "name"),  # libvirt's page lists the driver's attributes as terms under no element
        help="For virtio cards: vhost moves packet handling into the host kernel (the usual, faster "
        "choice); qemu keeps it in user space.",
    )
    driver_queues = Attr(
        "driver/@queues",
        Int(min=1),
        label="Queues",
        doc=("", "queues"),
        help="Number of virtio queue pairs (multiqueue): up to the number of vCPUs, so several can "
        "send and receive at once.",
    )
    boot_order = Attr(
        "boot/@order",
        Int(min=1),
        label="Boot order",
        help="Position of this card in the boot sequence (1 first), for booting from the network. "
        "Cannot be mixed with the boot order of OS and boot.",
    )

    def summary(self) -> str:
        src = self["source_network"] or self["source_bridge"] or self["source_address"] or ""
        return f"{self['type']} {src} {self['mac'] or ''}".strip()

    @classmethod
    def fresh(cls, siblings):
        """On libvirt's default network, with a MAC of its own (so the XML says what the guest gets)."""
        return cls.new({**cls.starter, "mac": Mac.generate()})
