"""What happens when the guest powers off, reboots or crashes."""

from ..element import Section
from ..fields import Choice, Text

ACTIONS = ("destroy", "restart", "preserve", "rename-restart")


class Lifecycle(Section):
    label = "Lifecycle"
    section = "elementsLifecycle"
    doc_sections = ("events-configuration",)

    on_poweroff = Text(
        "on_poweroff",
        Choice(*ACTIONS),
        label="On power off",
        default="destroy",
        help="Action when the guest asks to power off: destroy ends it and frees its resources.",
    )
    on_reboot = Text(
        "on_reboot",
        Choice(*ACTIONS),
        label="On reboot",
        default="restart",
        help="Action when the guest reboots. destroy here is handy for a first install, so the "
        "guest stops instead of booting the installer again.",
    )
    on_crash = Text(
        "on_crash",
        Choice(*ACTIONS, "coredump-destroy", "coredump-restart"),
        label="On crash",
        default="destroy",
        help="Action when the guest crashes; preserve keeps it for analysis.",
    )
