"""Character devices: <serial>, <parallel>, <console> and <channel> share one shape."""

from ..element import Device
from ..fields import Attr, Choice, Int, Path, Str

SOURCE_TYPES = ("pty", "file", "tcp", "udp", "unix", "dev", "stdio", "vc", "null", "pipe", "spicevmc", "spiceport")
_HOST = Str(pattern=r"[\w.:-]+", hint="a host name or IP address")
_SERVICE = Str(pattern=r"[\w-]+", hint="a port number or service name")


class CharDevice(Device):
    scope = "chardev"
    section = "elementsConsole"
    # what is said per host side (pty, tcp ...) first, then what holds for all of them
    doc_sections = ("host-interface", "consoles-serial-parallel-channel-devices")
    starter = {"type": "pty", "target_port": "0"}

    type = Attr(
        "@type",
        Choice(*SOURCE_TYPES),
        label="Connected to",
        default="pty",
        help="What the guest's port talks to on the host: a pseudo-terminal (pty, for virsh "
        "console), a log file, a TCP or UDP socket, a UNIX socket, a host device, or nothing.",
    )
    source_path = Attr(
        "source/@path",
        Path(),
        label="Path",
        help="File, device or socket path on the host.",
        when={"type": ("file", "dev", "unix", "pipe", "pty")},
        required_when={"type": ("file", "dev", "unix", "pipe")},
    )
    source_mode = Attr(
        "source/@mode",
        Choice("bind", "connect"),
        label="Mode",
        help="bind: listen for a connection (server). connect: connect out to a server (client).",
        when={"type": ("tcp", "unix")},
    )
    source_host = Attr(
        "source/@host",
        _HOST,
        label="Host",
        help="Address to listen on (bind) or connect to (connect).",
        when={"type": ("tcp",)},
    )
    source_service = Attr(
        "source/@service",
        _SERVICE,
        label="Port",
        help="TCP port number or service name to listen on or connect to.",
        when={"type": ("tcp",)},
        required_when={"type": ("tcp",)},
    )
    # UDP has two sources at once: where packets are received and where they are sent.
    bind_host = Attr(
        "source[@mode='bind']/@host",
        _HOST,
        label="Local host",
        help="For UDP: the local address packets are received on (the source in bind mode).",
        when={"type": ("udp",)},
        doc=("source", "host"),
    )
    bind_service = Attr(
        "source[@mode='bind']/@service",
        _SERVICE,
        label="Local port",
        help="For UDP: the local port packets are received on.",
        when={"type": ("udp",)},
        doc=("source", "service"),
    )
    connect_host = Attr(
        "source[@mode='connect']/@host",
        _HOST,
        label="Remote host",
        help="For UDP: the address packets are sent to (the source in connect mode).",
        when={"type": ("udp",)},
        doc=("source", "host"),
    )
    connect_service = Attr(
        "source[@mode='connect']/@service",
        _SERVICE,
        label="Remote port",
        help="For UDP: the port packets are sent to.",
        when={"type": ("udp",)},
        required_when={"type": ("udp",)},
        doc=("source", "service"),
    )
    protocol = Attr(
        "protocol/@type",
        Choice("raw", "telnet", "telnets", "tls"),
        label="Wire protocol",
        default="raw",
        help="For TCP: raw bytes, or telnet so a telnet client can attach. (The 2008 text wrote "
        "<wiremode>; libvirt knows it as <protocol>, the importer rewrites it.)",
        when={"type": ("tcp",)},
    )
    target_port = Attr(
        "target/@port",
        Int(min=0),
        label="Port number",
        wrong_in_2008=True,  # "numbered starting from 1"
        help="Which port of its kind in the guest, counted from 0 (0 is ttyS0). The 2008 text "
        "said from 1; libvirt counts from 0.",
    )

    @classmethod
    def fresh(cls, siblings):
        """A pty on the lowest port its kind does not use yet (ports count from 0)."""
        used = {t.get("port") for n in siblings if n.tag == cls.tag for t in n.iterfind("target")}
        port = next(p for p in range(len(used) + 1) if str(p) not in used)
        return cls.new({**cls.starter, "target_port": str(port)})

    def summary(self) -> str:
        v = self.values()
        host, service = v["source_host"] or v["connect_host"], v["source_service"] or v["connect_service"]
        where = v["source_path"] or ":".join(filter(None, [host, service]))
        return f"{self.tag} {self['target_port'] or '0'}: {self['type']} {where}".strip()


class Serial(CharDevice):
    tag = "serial"
    label = "Serial port"


class Parallel(CharDevice):
    tag = "parallel"
    label = "Parallel port"


class Console(CharDevice):
    tag = "console"
    label = "Console"
    doc_sections = ("console", *CharDevice.doc_sections)

    target_type = Attr(
        "target/@type",
        Choice("serial", "virtio", "xen", "lxc", "openvz", "sclp", "sclplm"),
        label="Console type",
        help="serial: on a full virtual machine libvirt mirrors the first serial port here. "
        "virtio or xen: a paravirtualized console.",
    )


GUEST_AGENT = "org.qemu.guest_agent.0"
SPICE_AGENT = "com.redhat.spice.0"


class Channel(CharDevice):
    """A private line between host and guest: the QEMU guest agent, SPICE's agent, a forwarded port."""

    tag = "channel"
    label = "Channel"
    doc_sections = ("channel", *CharDevice.doc_sections)
    starter = {"type": "unix", "target_type": "virtio", "target_name": GUEST_AGENT}

    # A UNIX socket without a path is fine here: libvirt makes one per guest (the agent's socket).
    source_path = Attr(
        "source/@path",
        Path(),
        label="Path",
        help="File, device or socket path on the host. Leave it empty for a UNIX socket and "
        "libvirt picks a path under its own run directory.",
        when={"type": ("file", "dev", "unix", "pipe", "pty")},
        required_when={"type": ("file", "dev", "pipe")},
    )
    target_port = Attr(
        "target/@port",
        Int(min=1, max=65535),
        label="Forwarded port",
        doc=("", "guestfwd"),  # the page defines guestfwd with its address and port
        help="For guestfwd: the TCP port, at the address below, whose traffic from the guest is "
        "handed to this channel on the host.",
        when={"target_type": ("guestfwd",)},
        required_when={"target_type": ("guestfwd",)},
    )
    target_type = Attr(
        "target/@type",
        Choice("virtio", "guestfwd", "xen"),
        label="Channel kind",
        required=True,
        help="virtio: a named port the guest sees under /dev/virtio-ports (guest agent, SPICE "
        "agent). guestfwd: guest TCP traffic to one address and port goes to the host side. "
        "xen: a named Xen console.",
    )
    target_name = Attr(
        "target/@name",
        Str(pattern=r"[\w.-]+", hint="a port name such as org.qemu.guest_agent.0"),
        label="Port name",
        help=f"Name the guest finds the port by: {GUEST_AGENT} for the QEMU guest agent, "
        f"{SPICE_AGENT} for the SPICE agent (with a spicevmc source).",
        when={"target_type": ("virtio", "xen")},
    )
    target_address = Attr(
        "target/@address",
        Str(pattern=r"[0-9a-fA-F.:]+", hint="an IP address"),
        label="Forwarded address",
        doc=("", "guestfwd"),
        help="For guestfwd: the IP address, as the guest sees it, whose traffic is forwarded (e.g. 10.0.2.1).",
        when={"target_type": ("guestfwd",)},
        required_when={"target_type": ("guestfwd",)},
    )

    @classmethod
    def fresh(cls, siblings):
        """The guest agent's channel first, then named virtio ports that do not clash with others."""
        used = {t.get("name") for n in siblings if n.tag == cls.tag for t in n.iterfind("target")}
        name = GUEST_AGENT
        n = 1
        while name in used:
            name, n = f"org.libvirt.channel.{n}", n + 1
        return cls.new({**cls.starter, "target_name": name})

    def summary(self) -> str:
        v = self.values()
        where = v["target_name"] or ":".join(filter(None, [v["target_address"], v["target_port"]]))
        return f"channel {v['target_type'] or ''} {where}: {v['type']}".strip()
