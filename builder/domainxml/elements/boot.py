"""How the guest boots: BIOS or UEFI firmware and boot order, a host bootloader, or a kernel given directly."""

from ..element import Section
from ..fields import Attr, Choice, Int, Many, Path, Str, Text, YesNo


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
        help="Emulated board. For x86 KVM guests: q35 (modern, PCIe, needed for Secure Boot) or pc "
        "(older i440FX); versioned names such as pc-q35-7.2 or pc-i440fx-7.2 pin one QEMU release. "
        "The host's capabilities list the choices.",
    )
    firmware = Attr(
        "os/@firmware",
        Choice("efi", "bios"),
        label="Firmware",
        doc=("", "firmware"),  # libvirt's page defines it as a term of its own, under no element
        help="Let libvirt pick a matching firmware image itself: efi for UEFI, bios for the legacy "
        "BIOS. Leave empty to give a loader path by hand (or use the hypervisor's default).",
    )
    firmware_enrolled_keys = Attr(
        "os/firmware/feature[@name='enrolled-keys']/@enabled",
        YesNo(),
        label="Keys enrolled",
        doc=("firmware", "feature"),
        help="With automatic firmware selection: yes picks a variable store that already holds the "
        "usual Microsoft and distribution keys, so Secure Boot is active from the first start.",
    )
    firmware_secure_boot = Attr(
        "os/firmware/feature[@name='secure-boot']/@enabled",
        YesNo(),
        label="Require Secure Boot",
        doc=("firmware", "feature"),
        help="With automatic firmware selection: yes picks an image that enforces Secure Boot, no "
        "one that does not. Empty: either will do.",
    )
    loader = Text(
        "os/loader",
        Path(),
        label="Firmware loader",
        help="Path of a firmware image on the host used to start the guest (hvmloader for Xen "
        "full virtualization, or a UEFI image).",
    )
    loader_readonly = Attr(
        "os/loader/@readonly",
        YesNo(),
        label="Loader read-only",
        doc=("os", "loader"),  # the loader's definition names its attributes
        help="yes for a UEFI code image that the guest must not change (its variables live in NVRAM instead).",
    )
    loader_secure = Attr(
        "os/loader/@secure",
        YesNo(),
        label="Secure loader",
        doc=("os", "loader"),
        help="yes when the firmware image is built for Secure Boot; QEMU then needs SMM switched on in Features.",
    )
    loader_type = Attr(
        "os/loader/@type",
        Choice("pflash", "rom"),
        label="Loader type",
        help="pflash maps the image as flash memory (the usual way for UEFI); rom as read-only memory.",
    )
    nvram = Text(
        "os/nvram",
        Path(),
        label="NVRAM file",
        help="Per-guest file on the host holding the UEFI variables (boot entries, Secure Boot keys).",
    )
    nvram_template = Attr(
        "os/nvram/@template",
        Path(),
        label="NVRAM template",
        help="Master variable store on the host copied to the NVRAM file when that does not exist yet.",
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
    bootmenu_enable = Attr(
        "os/bootmenu/@enable",
        YesNo(),
        label="Boot menu",
        help="yes shows the firmware's interactive boot menu when the guest starts.",
        when={"os_type": ("hvm",)},
    )
    bootmenu_timeout = Attr(
        "os/bootmenu/@timeout",
        Int(min=0, max=65535),
        label="Boot menu timeout (ms)",
        help="How long the boot menu waits for a key press, in milliseconds.",
        when={"os_type": ("hvm",)},
    )
