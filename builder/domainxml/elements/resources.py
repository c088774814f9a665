"""Memory, how it is backed on the host, virtual CPUs and I/O threads."""

from ..element import Section
from ..fields import Attr, Choice, Flag, Int, Str, Text

# What libvirt's schema accepts for unit= (its pattern, spelled out for a select).
MEMORY_UNITS = ("KiB", "MiB", "GiB", "TiB", "b", "bytes", "KB", "MB", "GB", "TB", "k", "M", "G", "T")


def unit_scale(unit: str | None) -> int | None:
    """Bytes in one `unit` of a size, read the way libvirt reads it (virScaleInteger); None when
    libvirt would refuse the unit.

    No unit (None or "") means KiB, as for every size in the domain XML; units are case-insensitive;
    b, byte and bytes are bytes; k, KiB, M, MiB ... are powers of 1024, KB, MB ... powers of 1000.
    """
    unit = (unit or "KiB").lower()
    if unit in ("b", "byte", "bytes"):
        return 1
    power = "kmgtpe".find(unit[0]) + 1
    if not power or unit[1:] not in ("", "ib", "b"):
        return None
    return (1000 if unit[1:] == "b" else 1024) ** power


def to_bytes(amount: str | None, unit: str | None) -> int | None:
    """Bytes in an amount, read the way libvirt reads it (unit_scale); ValueError for a unit or
    amount libvirt would refuse."""
    if amount is None:
        return None
    scale = unit_scale(unit)
    if scale is None:
        raise ValueError(f"{unit!r} is not a unit of size")
    return int(amount) * scale


class Resources(Section):
    label = "Resources"
    section = "elementsResources"
    doc_sections = ("memory-allocation", "memory-backing", "cpu-allocation", "iothreads-allocation")

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
    # <memoryBacking> comes between <currentMemory> and <vcpu> in libvirt's order, so it is
    # declared here rather than as a section of its own.
    hugepages = Flag(
        "memoryBacking/hugepages",
        label="Huge pages",
        help="Back the guest's memory with the host's huge pages instead of normal pages; the host "
        "must have enough of them reserved.",
    )
    nosharepages = Flag(
        "memoryBacking/nosharepages",
        label="No page sharing",
        help="Keep the host from merging this guest's identical memory pages with others (KSM).",
    )
    locked = Flag(
        "memoryBacking/locked",
        label="Locked memory",
        help="Pin the guest's memory in host RAM so it is never swapped out; usually needs a "
        "hard memory limit as well.",
    )
    memory_source = Attr(
        "memoryBacking/source/@type",
        Choice("anonymous", "file", "memfd"),
        label="Memory source",
        default="anonymous",
        help="Where the guest's RAM comes from on the host: ordinary anonymous memory, a file, "
        "or a memfd (needed with shared access for virtiofs and vhost-user without huge pages).",
    )
    memory_access = Attr(
        "memoryBacking/access/@mode",
        Choice("shared", "private"),
        label="Memory access",
        default="private",
        help="shared lets other host processes (virtiofsd, vhost-user back ends) map the guest's "
        "memory; private keeps it to the guest.",
    )
    vcpu = Text(
        "vcpu",
        Int(min=1),
        label="Virtual CPUs",
        default="1",
        help="How many virtual CPUs the guest gets.",
    )
    vcpu_placement = Attr(
        "vcpu/@placement",
        Choice("static", "auto"),
        label="vCPU placement",
        default="static",
        help="static pins the guest to the CPU set below (all host CPUs when empty); auto asks numad where to put it.",
    )
    vcpu_cpuset = Attr(
        "vcpu/@cpuset",
        Str(pattern=r"\^?\d+(-\d+)?(,\^?\d+(-\d+)?)*", hint="host CPU numbers such as 0-3,6 or 0-7,^4"),
        label="vCPU host CPU set",
        when={"vcpu_placement": ("static",)},
        help="Host CPUs the guest's virtual CPUs may run on by default, e.g. 0-3,6 or 1-7,^4; empty means any.",
    )
    iothreads = Text(
        "iothreads",
        Int(min=0),
        label="I/O threads",
        help="How many I/O threads the guest gets; disks and controllers can be given one each "
        "so their I/O runs apart from the vCPUs.",
    )
