"""What the 2008 spec documents (FACTS.md's first table), and the declared field for each of its rows."""

from builder.domainxml.elements import DEVICES

# FACTS.md, first table: what the 2008 spec documents, as (element, path below it, values).
# Paths are those of the declarations; values must all be offered where given.
FACTS_2008 = [
    ("domain", "@type", ["xen", "kvm", "qemu", "lxc", "kqemu"]),
    ("domain", "@id", None),
    ("domain", "name", None),
    ("domain", "uuid", None),
    ("domain", "os/type", ["hvm", "linux"]),
    ("domain", "os/type/@arch", None),
    ("domain", "os/type/@machine", None),
    ("domain", "os/loader", None),
    ("domain", "os/boot/@dev", ["fd", "hd", "cdrom", "network"]),
    ("domain", "bootloader", None),
    ("domain", "bootloader_args", None),
    ("domain", "os/kernel", None),
    ("domain", "os/initrd", None),
    ("domain", "os/cmdline", None),
    ("domain", "memory", None),
    ("domain", "currentMemory", None),
    ("domain", "vcpu", None),
    ("domain", "on_poweroff", ["destroy", "restart", "preserve", "rename-restart"]),
    ("domain", "on_reboot", ["destroy", "restart", "preserve", "rename-restart"]),
    ("domain", "on_crash", ["destroy", "restart", "preserve", "rename-restart"]),
    ("domain", "features/pae", None),
    ("domain", "features/acpi", None),
    ("domain", "features/apic", None),
    ("domain", "clock/@offset", ["utc", "localtime"]),
    ("domain", "devices/emulator", None),
    ("disk", "@type", ["file", "block"]),
    ("disk", "@device", ["floppy", "disk", "cdrom"]),
    ("disk", "driver/@name", None),
    ("disk", "driver/@type", None),
    ("disk", "source/@file", None),
    ("disk", "source/@dev", None),
    ("disk", "target/@dev", None),
    ("disk", "target/@bus", ["ide", "scsi", "virtio", "xen"]),
    ("interface", "@type", ["bridge", "network", "user", "ethernet", "mcast", "server", "client"]),
    ("interface", "source/@bridge", None),
    ("interface", "source/@network", None),
    ("interface", "source/@address", None),
    ("interface", "source/@port", None),
    ("interface", "mac/@address", None),
    ("interface", "script/@path", None),
    ("interface", "target/@dev", None),
    ("input", "@type", ["mouse", "tablet"]),
    ("input", "@bus", ["xen", "ps2", "usb"]),
    ("graphics", "@type", ["sdl", "vnc"]),
    ("graphics", "@port", None),
    ("graphics", "@autoport", ["yes", "no"]),
    ("graphics", "@listen", None),
    ("graphics", "@passwd", None),
    *[
        (char, path, values)
        for char in ("serial", "parallel", "console")
        for path, values in [
            ("@type", ["stdio", "file", "vc", "null", "pty", "dev", "tcp", "udp", "unix"]),
            ("source/@path", None),
            ("source/@mode", ["bind", "connect"]),
            ("source/@host", None),
            ("source/@service", None),
            ("target/@port", None),
            ("protocol/@type", ["telnet"]),
        ]
    ],
]


def declared(element: str, path: str):
    if element == "domain":
        from builder.domainxml.elements import SECTIONS

        classes = SECTIONS
    else:
        classes = [DEVICES[element]]
    for cls in classes:
        for f in cls.fields.values():
            if f.path == path:
                return f
    return None
