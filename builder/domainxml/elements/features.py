"""Hypervisor features: switched on by the presence of an element, or by its state=on|off."""

from ..element import Section
from ..fields import Attr, Choice, Flag, Int, OnOff


def _hyperv(name: str, label: str, help: str) -> Attr:
    """One Hyper-V enlightenment, <features><hyperv><NAME state='on'/>: only for mode custom."""
    return Attr(
        f"features/hyperv/{name}/@state",
        OnOff(),
        label=f"Hyper-V: {label}",
        doc=("hyperv", name),  # a row of the table of features in <hyperv>'s definition
        help=f"{help} on or off; empty leaves it out.",
        when={"hyperv_mode": ("custom",)},
    )


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
    hyperv_mode = Attr(
        "features/hyperv/@mode",
        Choice("custom", "passthrough"),
        label="Hyper-V enlightenments",
        default="custom",
        help="Hyper-V interfaces offered to Windows guests so they run faster and keep time well. "
        "custom: only those switched on below; passthrough: every one the host supports.",
    )
    hyperv_relaxed = _hyperv(
        "relaxed", "Relaxed timing", "Tells Windows not to crash on timing checks a busy host can miss."
    )
    hyperv_vapic = _hyperv("vapic", "Virtual APIC", "Paravirtual interrupt controller access, fewer exits to the host.")
    hyperv_spinlocks = _hyperv(
        "spinlocks", "Spinlocks", "Lets the guest yield the CPU after spinning on a lock for long."
    )
    hyperv_spinlock_retries = Attr(
        "features/hyperv/spinlocks/@retries",
        Int(min=4095),
        label="Hyper-V: spinlock retries",
        doc=("hyperv", "spinlocks"),  # the spinlocks row gives the retries
        help="How many times the guest spins before it tells the host; 8191 is the common value.",
        when={"hyperv_mode": ("custom",)},
    )
    hyperv_vpindex = _hyperv("vpindex", "VP index", "Gives each vCPU a number the guest can use (needed by SynIC).")
    hyperv_runtime = _hyperv("runtime", "Run time", "Tells the guest how long its vCPUs really ran on the host.")
    hyperv_synic = _hyperv(
        "synic", "SynIC", "Synthetic interrupt controller, needed by the synthetic timers (requires VP index)."
    )
    hyperv_stimer = _hyperv(
        "stimer", "Synthetic timers", "Timers without a periodic tick, cheaper for an idle guest (requires SynIC)."
    )
    hyperv_reset = _hyperv("reset", "Reset", "Lets the guest reset itself through the Hyper-V interface.")
    hyperv_frequencies = _hyperv("frequencies", "Frequencies", "Tells the guest the TSC and APIC frequencies directly.")
    hyperv_tlbflush = _hyperv(
        "tlbflush", "TLB flush", "Paravirtual flush of other vCPUs' TLBs, fewer interrupts between vCPUs."
    )
    hyperv_ipi = _hyperv("ipi", "IPI", "Paravirtual inter-processor interrupts, fewer exits to the host.")
    hyperv_evmcs = _hyperv(
        "evmcs", "Enlightened VMCS", "Faster nested virtualization when the guest runs Hyper-V itself."
    )
    hyperv_avic = _hyperv(
        "avic", "SynIC with AVIC/APICv", "Lets SynIC work together with the CPU's hardware APIC virtualization."
    )
    kvm_hidden = Attr(
        "features/kvm/hidden/@state",
        OnOff(),
        label="Hide KVM",
        doc=("kvm", "hidden"),  # a row of the table of features in <kvm>'s definition
        help="on hides the KVM signature from the guest; some drivers (older NVIDIA ones) refuse to run under KVM.",
    )
    vmport = Attr(
        "features/vmport/@state",
        OnOff(),
        label="VMware I/O port",
        help="Emulation of VMware's backdoor port; off for guests that are not VMware-tuned (QEMU default: on).",
    )
    smm = Attr(
        "features/smm/@state",
        OnOff(),
        label="SMM",
        help="System management mode; on is required for UEFI Secure Boot on q35 machines.",
    )
    ioapic_driver = Attr(
        "features/ioapic/@driver",
        Choice("kvm", "qemu"),
        label="I/O APIC driver",
        help="Where the I/O APIC is emulated: kvm in the kernel (the default for KVM guests) or qemu in user space.",
    )
