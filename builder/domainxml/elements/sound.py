"""<sound>: the guest's sound card."""

from ..element import Device
from ..fields import Attr, Choice, Int


class Sound(Device):
    tag = "sound"
    label = "Sound card"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("sound-devices",)
    starter = {"model": "ich9"}

    model = Attr(
        "@model",
        Choice("ich9", "ich6", "ac97", "es1370", "sb16", "pcspk", "usb", "ich7"),
        label="Model",
        required=True,
        help="Emulated sound card: ich9 or ich6 (Intel HD Audio) for modern guests, ac97 for older ones; "
        "ich7 is for bhyve.",
    )
    audio_id = Attr(
        "audio/@id",
        Int(min=1),
        label="Audio backend",
        help="id of the <audio> device that plays this card's sound on the host. Empty: the default backend.",
    )

    def summary(self) -> str:
        link = self["audio_id"]
        return f"{self['model'] or '?'}" + (f" to audio {link}" if link else "")
