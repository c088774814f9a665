"""How the guest's clock starts relative to the host's."""

from ..fields import Attr, Choice
from ..spec import Section


class Clock(Section):
    label = "Clock"
    section = "elementsTime"

    offset = Attr(
        "clock/@offset",
        Choice("utc", "localtime", "timezone", "variable", "absolute"),
        label="Clock offset",
        default="utc",
        help="utc suits most systems; Windows expects localtime. (The 2008 text called this "
        "attribute sync; libvirt ignores that name, the importer rewrites it.)",
    )
