"""How the guest's clock starts relative to the host's, and the timers the guest is given."""

from ..element import Section
from ..fields import Attr, Choice, YesNo

TICK_POLICIES = ("delay", "catchup", "merge", "discard")


def _tickpolicy(timer: str, label: str, help: str) -> Attr:
    """<clock><timer name=TIMER tickpolicy=.../>: one field per timer, as forms show them."""
    return Attr(f"clock/timer[@name='{timer}']/@tickpolicy", Choice(*TICK_POLICIES), label=label, help=help)


def _present(timer: str, label: str, help: str) -> Attr:
    """<clock><timer name=TIMER present=yes|no/>."""
    return Attr(f"clock/timer[@name='{timer}']/@present", YesNo(), label=label, help=help)


class Clock(Section):
    label = "Clock"
    section = "elementsTime"
    doc_sections = ("time-keeping",)

    offset = Attr(
        "clock/@offset",
        Choice("utc", "localtime", "timezone", "variable", "absolute"),
        label="Clock offset",
        wrong_in_2008=True,  # calls it sync
        default="utc",
        help="utc suits most systems; Windows expects localtime. (The 2008 text called this "
        "attribute sync; libvirt ignores that name, the importer rewrites it.)",
    )
    rtc_tickpolicy = _tickpolicy(
        "rtc",
        "RTC missed ticks",
        "What to do with real-time clock ticks the guest missed while it was not running: catchup "
        "suits Windows guests; empty keeps the hypervisor's default.",
    )
    pit_tickpolicy = _tickpolicy(
        "pit",
        "PIT missed ticks",
        "What to do with ticks of the legacy interval timer the guest missed: delay is the usual choice for KVM.",
    )
    hpet_present = _present(
        "hpet",
        "HPET",
        "Offer the high precision event timer: no is usual for Windows guests, which then use cheaper clocks.",
    )
    kvmclock_present = _present(
        "kvmclock",
        "KVM clock",
        "Offer KVM's paravirtual clock, the clock Linux guests prefer; no hides it.",
    )
    hypervclock_present = _present(
        "hypervclock",
        "Hyper-V clock",
        "Offer the Hyper-V reference clock to Windows guests (yes is recommended for them).",
    )
