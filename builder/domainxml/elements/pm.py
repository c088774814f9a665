"""Guest power management: whether the BIOS offers the S3 and S4 sleep states."""

from ..element import Section
from ..fields import Attr, YesNo


class PowerManagement(Section):
    label = "Power management"
    section = "elements"  # the 2008 page knew it not; its top section of elements
    doc_sections = ("power-management",)

    suspend_to_mem = Attr(
        "pm/suspend-to-mem/@enabled",
        YesNo(),
        label="Suspend to RAM (S3)",
        doc=("", "pm"),
        help="Whether the guest may sleep with its memory kept (ACPI S3). Empty leaves the hypervisor's default.",
    )
    suspend_to_disk = Attr(
        "pm/suspend-to-disk/@enabled",
        YesNo(),
        label="Suspend to disk (S4)",
        doc=("", "pm"),
        help="Whether the guest may hibernate, writing its memory to disk (ACPI S4). Empty "
        "leaves the hypervisor's default.",
    )
