"""Every declared element, and the two orders of the parts of <domain>."""

from ..spec import Device, Section, set_domain_order
from .chardev import Console, Parallel, Serial
from .clock import Clock
from .devices import Emulator
from .disk import Disk
from .features import Features
from .general import General
from .graphics import Graphics
from .input import Input
from .interface import Interface
from .lifecycle import Lifecycle
from .os import Boot
from .resources import Resources

# The parts of <domain>, in the order libvirt writes them: new elements are created at these places.
SECTIONS: tuple[type[Section], ...] = (General, Resources, Boot, Features, Clock, Lifecycle, Emulator)

DEVICES: dict[str, type[Device]] = {
    cls.tag: cls for cls in (Disk, Interface, Input, Graphics, Serial, Parallel, Console)
}


def all_elements():
    return (*SECTIONS, *DEVICES.values())


set_domain_order(SECTIONS, DEVICES)
