"""<memballoon>: the balloon driver through which the host takes memory back from the guest."""

from ..element import Device
from ..fields import Attr, Choice, Int, OnOff

_VIRTIO = ("virtio", "virtio-transitional", "virtio-non-transitional")


class Memballoon(Device):
    tag = "memballoon"
    label = "Memory balloon"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("memory-balloon-device",)
    starter = {"model": "virtio"}
    only_one = True  # libvirt 9.0 takes at most one per domain (its schema says optional, not zeroOrMore)

    model = Attr(
        "@model",
        Choice(*_VIRTIO, "xen", "none"),
        label="Model",
        required=True,
        doc=("", "model"),  # the page's terms name the attributes alone
        help="virtio for KVM guests, xen for Xen; none leaves the guest without a balloon.",
    )
    autodeflate = Attr(
        "@autodeflate",
        OnOff(),
        label="Deflate on out-of-memory",
        doc=("", "autodeflate"),
        help="on lets the balloon give memory back to the guest before its out-of-memory killer strikes.",
        when={"model": _VIRTIO},
    )
    free_page_reporting = Attr(
        "@freePageReporting",
        OnOff(),
        label="Free page reporting",
        doc=("", "freePageReporting"),
        help="on lets the guest hand pages it no longer uses back to the host.",
        when={"model": _VIRTIO},
    )
    stats_period = Attr(
        "stats/@period",
        Int(min=1),
        label="Statistics period (s)",
        doc=("", "period"),
        help="Seconds between the memory statistics the guest reports (virsh dommemstat). Empty: none collected.",
        when={"model": _VIRTIO},
    )

    def summary(self) -> str:
        period = self.values()["stats_period"]
        return f"balloon {self['model'] or '?'}" + (f", stats every {period}s" if period else "")
