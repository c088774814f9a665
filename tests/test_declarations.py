"""The declarations are complete: every field is exercised, every 2008 element and attribute declared."""

import pytest

from builder.domainxml.elements import DEVICES, all_elements
from builder.domainxml.fields import Many
from tests.helpers import exercised_fields

ALL_FIELDS = sorted({f"{f.owner.__name__}.{f.name}": f for cls in all_elements() for f in cls.fields.values()}.items())


def test_it_exercises_every_declared_field_in_a_golden_pair():
    missing = sorted(name for name, _ in ALL_FIELDS if name not in exercised_fields())
    assert missing == [], "no golden pair changes these fields: " + ", ".join(missing)


@pytest.mark.parametrize(("name", "field"), ALL_FIELDS, ids=[n for n, _ in ALL_FIELDS])
def test_it_gives_every_field_a_label_and_help(name, field):
    assert field.label and len(field.help) > 20
    assert field.help.strip() != field.label.strip()


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


def _declared(element: str, path: str):
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


@pytest.mark.parametrize(("element", "path", "values"), FACTS_2008, ids=[f"{e}:{p}" for e, p, _ in FACTS_2008])
def test_it_declares_everything_the_2008_spec_documents(element, path, values):
    field = _declared(element, path)
    assert field is not None, f"<{element}> {path} has no declaration"
    if values:
        assert set(values) <= set(field.choices), f"{path} lacks {set(values) - set(field.choices)}"
    if isinstance(field, Many):
        assert field.choices


def test_it_reads_the_facts_table_it_checks():
    """The table above is FACTS.md's first table; fail loudly if FACTS.md grows a row we do not list."""
    from tests.helpers import FACTS

    text = FACTS.read_text()
    table = text.split("## What the 2008 spec documents")[1].split("##")[0]
    rows = [line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    listed = {"domain", "name, uuid", "os/type", "os/loader, os/boot", "bootloader, bootloader_args",
              "os/kernel, os/initrd, os/cmdline", "memory, currentMemory, vcpu", "on_poweroff, on_reboot, on_crash",
              "features", "clock", "devices/emulator", "disk", "interface", "input", "graphics",
              "parallel, serial, console"}  # fmt: skip
    assert set(rows[1:]) == listed
