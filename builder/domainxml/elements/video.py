"""<video>: the guest's graphics card."""

from ..element import Device
from ..fields import Attr, Choice, Int, YesNo

MODELS = ("virtio", "qxl", "vga", "bochs", "cirrus", "ramfb", "vmvga", "xen", "vbox", "gop", "none")
_CARDS = tuple(m for m in MODELS if m != "none")


class Video(Device):
    tag = "video"
    label = "Video card"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("video-devices",)
    starter = {"model_type": "virtio", "heads": "1", "primary": "yes"}

    model_type = Attr(
        "model/@type",
        Choice(*MODELS),
        label="Model",
        required=True,
        help="Emulated graphics card. virtio suits modern Linux guests, qxl goes with SPICE, vga or bochs for "
        "anything else; none stops libvirt adding a default card.",
    )
    heads = Attr(
        "model/@heads",
        Int(min=1),
        label="Screens",
        help="How many monitors the card drives.",
        when={"model_type": _CARDS},
    )
    vram = Attr(
        "model/@vram",
        Int(min=0),
        label="Video memory (KiB)",
        help="Video memory in KiB (for qxl: its second memory bar). Empty keeps the hypervisor's default.",
        when={"model_type": _CARDS},
    )
    ram = Attr(
        "model/@ram",
        Int(min=0),
        label="RAM bar (KiB)",
        help="Size in KiB of the qxl card's first memory bar; a power of two.",
        when={"model_type": ("qxl",)},
        doc=("model", "vram"),  # the sentence defines ram and vram together
    )
    vgamem = Attr(
        "model/@vgamem",
        Int(min=0),
        label="VGA memory (KiB)",
        help="Size in KiB of the framebuffer the qxl card uses in plain VGA mode.",
        when={"model_type": ("qxl",)},
    )
    primary = Attr(
        "model/@primary",
        YesNo(),
        label="Primary card",
        help="yes marks the card the guest boots on when there are several; the others must be qxl or virtio.",
        when={"model_type": _CARDS},
        doc=("video", "primary"),  # described with <video>, written on <model>
    )
    accel3d = Attr(
        "model/acceleration/@accel3d",
        YesNo(),
        label="3D acceleration",
        help="Offer OpenGL to the guest (virtio-gpu with virgl); needs a graphics device with OpenGL on the host.",
        when={"model_type": ("virtio", "vbox")},
    )

    def summary(self) -> str:
        v = self.values()
        extra = f" {v['heads']} heads" if v["heads"] not in (None, "1") else ""
        return f"{self['model_type'] or '?'}{extra}{' (primary)' if v['primary'] == 'yes' else ''}"
