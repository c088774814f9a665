"""The <devices> container itself: the device-model emulator."""

from ..element import Section
from ..fields import Path, Text


class Emulator(Section):
    label = "Device model"
    section = "elementsDevices"
    doc_sections = ("devices",)

    emulator = Text(
        "devices/emulator",
        Path(),
        label="Emulator",
        help="Path of the device-model program on the host (a qemu-system binary, or qemu-dm for "
        "Xen). Empty lets libvirt use the host's default for this guest type and architecture.",
    )
