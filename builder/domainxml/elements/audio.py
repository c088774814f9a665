"""<audio>: a host audio backend that sound cards play through."""

from ..element import Device
from ..fields import Attr, Choice, Int

TYPES = ("none", "spice", "pulseaudio", "alsa", "jack", "oss", "sdl", "coreaudio", "dbus", "file")


class Audio(Device):
    tag = "audio"
    label = "Audio backend"
    section = "elementsDevices"  # the 2008 page knew it not; its devices section
    doc_sections = ("audio-backends",)
    starter = {"id": "1", "type": "spice"}

    id = Attr(
        "@id",
        Int(min=1),
        label="Id",
        doc=("", "id"),  # the page's terms name the attributes alone
        required=True,
        help="Number (from 1) by which sound cards name this backend in their <audio id>.",
    )
    type = Attr(
        "@type",
        Choice(*TYPES),
        label="Type",
        doc=("", "type"),
        required=True,
        help="Where the sound goes on the host: none or spice for remote desktops only, or a host sound "
        "system such as PulseAudio or ALSA; file records it.",
    )
    timer_period = Attr(
        "@timerPeriod",
        Int(min=1),
        label="Timer period (µs)",
        doc=("", "timerPeriod"),
        help="How often, in microseconds, audio is moved; empty uses the shortest the hypervisor can do.",
    )

    def summary(self) -> str:
        return f"audio {self['id'] or '?'}: {self['type'] or '?'}"

    @classmethod
    def fresh(cls, siblings):
        """A SPICE backend on the lowest id no other audio device has."""
        used = {n.get("id") for n in siblings if n.tag == "audio"}
        free = next(i for i in range(1, len(used) + 2) if str(i) not in used)
        return cls.new({**cls.starter, "id": str(free)})
