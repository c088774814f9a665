"""The virtual CPU the guest sees: how close to the host's it is, its model and its topology."""

from ..element import Section
from ..fields import Attr, Choice, Int, OnOff, Str, Text

CPU_MODES = ("custom", "host-model", "host-passthrough", "maximum")


class Cpu(Section):
    label = "CPU model and topology"
    section = "elements"  # the 2008 page knew it not; its top section of elements
    doc_sections = ("cpu-model-and-topology",)

    mode = Attr(
        "cpu/@mode",
        Choice(*CPU_MODES),
        label="CPU mode",
        default="custom",
        help="host-passthrough hands the host CPU to the guest as it is (fastest, hardest to "
        "migrate); host-model copies a named model close to the host's; custom uses the model "
        "below; maximum offers everything the hypervisor can.",
    )
    match = Attr(
        "cpu/@match",
        Choice("minimum", "exact", "strict"),
        label="Model match",
        default="exact",
        when={"mode": ("custom",)},
        help="How closely the guest CPU must follow the model: minimum allows extra host features, "
        "exact gives just the listed ones, strict refuses hosts that do not have exactly them.",
    )
    check = Attr(
        "cpu/@check",
        Choice("none", "partial", "full"),
        label="Check",
        help="How hard libvirt checks that the CPU the guest gets is the one asked for: not at "
        "all, before starting, or also against what the hypervisor really created.",
    )
    migratable = Attr(
        "cpu/@migratable",
        OnOff(),
        label="Migratable",
        when={"mode": ("host-passthrough", "maximum")},
        help="on leaves out host features that would stop a migration (invariant TSC and the "
        "like); off keeps them, for guests that never move.",
    )
    model = Text(
        "cpu/model",
        Str(pattern=r"[\w.+-]+", hint="a CPU model name such as Skylake-Server or EPYC"),
        label="Model",
        when={"mode": ("custom",)},
        help="Named CPU model, e.g. Skylake-Client-IBRS or EPYC-Rome; the host's domain "
        "capabilities list which ones it can run.",
    )
    model_fallback = Attr(
        "cpu/model/@fallback",
        Choice("allow", "forbid"),
        label="Model fallback",
        default="allow",
        # libvirt 9 also reads it with host-model, but drops it from the saved definition there.
        when={"mode": ("custom",)},
        help="allow lets libvirt pick a nearby model when the hypervisor does not know this one; "
        "forbid makes the start fail instead.",
    )
    vendor = Text(
        "cpu/vendor",
        Str(pattern=r"\S+", hint="a vendor name such as Intel or AMD"),
        label="Vendor",
        when={"mode": ("custom",)},
        help="Require a CPU from this maker (Intel or AMD); needs a model. Empty: any vendor.",
    )
    sockets = Attr(
        "cpu/topology/@sockets",
        Int(min=1),
        label="Sockets",
        help="Number of CPU sockets shown to the guest. With cores and threads it gives the "
        "topology; the product should equal the number of virtual CPUs.",
    )
    dies = Attr(
        "cpu/topology/@dies",
        Int(min=1),
        label="Dies per socket",
        default="1",
        help="Dies in each socket; optional, 1 when left out.",
    )
    cores = Attr(
        "cpu/topology/@cores",
        Int(min=1),
        label="Cores per die",
        help="Cores in each die. Sockets, cores and threads must all be given together.",
    )
    threads = Attr(
        "cpu/topology/@threads",
        Int(min=1),
        label="Threads per core",
        help="Hardware threads (hyper-threads) in each core; 1 for none.",
    )
