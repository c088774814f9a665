"""How the guest boots: BIOS boot order, a host bootloader, or a kernel given directly."""

from ..fields import Attr, Choice, Many, Path, Str, Text
from ..spec import Section


class Boot(Section):
    label = "OS and boot"
    section = "elementsOS"
    doc_sections = ("operating-system-booting",)

    bootloader = Text(
        "bootloader",
        Path(),
        label="Host bootloader",
        help="Program on the host that picks the guest's kernel, such as pygrub for Xen "
        "paravirtualized guests. With it, the BIOS boot order is not used.",
    )
    bootloader_args = Text(
        "bootloader_args",
        label="Bootloader arguments",
        help="Command-line arguments passed to the host bootloader.",
    )
    os_type = Text(
        "os/type",
        Choice("hvm", "linux", "xen", "exe"),
        label="OS type",
        required=True,
        help="hvm: a full virtual machine for an unmodified OS. linux or xen: a Xen paravirtualized "
        "guest. exe: a container (LXC) that runs a program.",
    )
    arch = Attr(
        "os/type/@arch",
        Str(pattern=r"[\w-]+", hint="an architecture name such as x86_64"),
        label="Architecture",
        help="CPU architecture to present, e.g. x86_64 or aarch64. The host's capabilities list "
        "what it can run; empty lets libvirt choose the host's.",
    )
    machine = Attr(
        "os/type/@machine",
        Str(pattern=r"[\w.,-]+", hint="a machine type such as q35 or pc"),
        label="Machine type",
        help="Emulated board, e.g. pc or q35 for x86. The host's capabilities list the choices.",
    )
    loader = Text(
        "os/loader",
        Path(),
        label="Firmware loader",
        help="Path of a firmware image on the host used to start the guest (hvmloader for Xen "
        "full virtualization, or a UEFI image).",
    )
    kernel = Text(
        "os/kernel",
        Path(),
        label="Kernel",
        help="Path on the host of a kernel image to boot directly, bypassing the guest's bootloader.",
    )
    initrd = Text(
        "os/initrd",
        Path(),
        label="Initial ramdisk",
        help="Path on the host of the initrd that goes with the directly booted kernel.",
    )
    cmdline = Text(
        "os/cmdline",
        label="Kernel command line",
        help="Arguments for the directly booted kernel, such as console=ttyS0 or an installer's kickstart location.",
    )
    boot_devices = Many(
        "os/boot/@dev",
        Choice("hd", "cdrom", "network", "fd"),
        label="Boot order",
        help="Devices the BIOS tries in turn: hard disk, CD-ROM, network (PXE), floppy. "
        "Cannot be combined with a boot order on individual devices.",
        when={"os_type": ("hvm",)},
    )
