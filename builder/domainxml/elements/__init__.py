"""Every declared element, and the two orders of the parts of <domain>."""

from ..element import Device, Section, set_domain_order
from .audio import Audio
from .boot import Boot
from .chardev import Channel, Console, Parallel, Serial
from .clock import Clock
from .controller import Controller
from .cpu import Cpu
from .disk import Disk
from .emulator import Emulator
from .features import Features
from .filesystem import Filesystem
from .general import General
from .graphics import Graphics
from .hostdev import Hostdev
from .input import Input
from .interface import Interface
from .lifecycle import Lifecycle
from .memballoon import Memballoon
from .pm import PowerManagement
from .redirdev import Redirdev
from .resources import Resources
from .rng import Rng
from .sound import Sound
from .tpm import Tpm
from .video import Video
from .watchdog import Watchdog

# The parts of <domain>, in the order libvirt writes them: new elements are created at these places.
SECTIONS: tuple[type[Section], ...] = (
    General,
    Resources,
    Boot,
    Features,
    Cpu,
    Clock,
    Lifecycle,
    PowerManagement,
    Emulator,
)

DEVICES: dict[str, type[Device]] = {
    cls.tag: cls
    for cls in (
        Disk,
        Controller,
        Filesystem,
        Interface,
        Input,
        Tpm,
        Sound,
        Audio,
        Graphics,
        Video,
        Serial,
        Parallel,
        Console,
        Channel,
        Hostdev,
        Redirdev,
        Watchdog,
        Memballoon,
        Rng,
    )
}


def all_elements():
    return (*SECTIONS, *DEVICES.values())


set_domain_order(SECTIONS, DEVICES)
