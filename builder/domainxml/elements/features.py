"""Hypervisor features that are switched on by the presence of an element."""

from ..fields import Flag
from ..spec import Section


class Features(Section):
    label = "Features"
    section = "elementsFeatures"
    doc_sections = ("hypervisor-features",)

    acpi = Flag(
        "features/acpi",
        label="ACPI",
        help="Power management tables. Needed for a clean shutdown request to reach the guest.",
    )
    apic = Flag(
        "features/apic",
        label="APIC",
        help="Advanced programmable interrupt controller; needed by most modern guests, and for more than one vCPU.",
    )
    pae = Flag(
        "features/pae",
        label="PAE",
        help="Physical address extension: lets a 32-bit guest use more than 4 GiB of memory.",
    )
