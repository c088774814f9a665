"""Memory and virtual CPUs."""

from ..fields import Attr, Choice, Int, Text
from ..spec import Section

# What libvirt's schema accepts for unit= (its pattern, spelled out for a select).
MEMORY_UNITS = ("KiB", "MiB", "GiB", "TiB", "b", "bytes", "KB", "MB", "GB", "TB", "k", "M", "G", "T")


def to_bytes(amount: str | None, unit: str | None) -> int | None:
    """Bytes in an amount, read the way libvirt reads it (virScaleInteger).

    No unit means KiB; units are case-insensitive; k, KiB, M, MiB ... are powers of 1024,
    KB, MB ... powers of 1000; b and bytes are bytes.
    """
    if amount is None:
        return None
    unit = (unit or "KiB").lower()
    if unit in ("b", "byte", "bytes"):
        return int(amount)
    power = "kmgtpe".index(unit[0]) + 1
    base = 1000 if unit[1:] == "b" else 1024
    return int(amount) * base**power


class Resources(Section):
    label = "Resources"
    section = "elementsResources"
    doc_sections = ("memory-allocation", "cpu-allocation")

    memory = Text(
        "memory",
        Int(min=1),
        label="Memory",
        required=True,
        wrong_in_2008=True,  # "in bytes"
        help="Maximum memory of the guest at boot. A number without a unit is in KiB "
        "(the 2008 text said bytes; libvirt has always read KiB).",
    )
    memory_unit = Attr(
        "memory/@unit",
        Choice(*MEMORY_UNITS),
        label="Memory unit",
        default="KiB",
        help="Unit of the memory amount: KiB, MiB, GiB are powers of 1024; KB, MB, GB powers of 1000.",
    )
    current_memory = Text(
        "currentMemory",
        Int(min=0),
        label="Current memory",
        help="Memory actually given to the guest at start, for ballooning; at most the maximum. "
        "Empty means the same as the maximum.",
    )
    current_memory_unit = Attr(
        "currentMemory/@unit",
        Choice(*MEMORY_UNITS),
        label="Current memory unit",
        default="KiB",
        help="Unit of the current memory amount.",
    )
    vcpu = Text(
        "vcpu",
        Int(min=1),
        label="Virtual CPUs",
        default="1",
        help="How many virtual CPUs the guest gets.",
    )
