"""<watchdog>: a hardware watchdog that acts when the guest stops answering it."""

from ..element import Device
from ..fields import Attr, Choice


class Watchdog(Device):
    tag = "watchdog"
    label = "Watchdog"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("watchdog-device",)
    starter = {"model": "i6300esb", "action": "reset"}
    only_one = True  # libvirt 9.0 takes at most one per domain (its schema says optional, not zeroOrMore)

    model = Attr(
        "@model",
        Choice("i6300esb", "ib700", "diag288"),
        label="Model",
        required=True,
        doc=("", "model"),  # the page's terms name the attribute alone
        help="Emulated watchdog chip: i6300esb (PCI) for x86 guests, ib700 (ISA), diag288 on s390.",
    )
    action = Attr(
        "@action",
        Choice("reset", "shutdown", "poweroff", "pause", "none", "dump", "inject-nmi"),
        label="When it fires",
        default="reset",
        doc=("", "action"),
        help="What happens to the guest once the watchdog runs out; the guest needs a watchdog daemon to keep it fed.",
    )

    def summary(self) -> str:
        return f"{self['model'] or '?'}: {self['action'] or 'reset'}"
