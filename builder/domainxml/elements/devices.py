"""The <devices> container itself: the device-model emulator."""

from ..fields import Path, Text
from ..spec import Section


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
