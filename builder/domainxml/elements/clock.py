"""How the guest's clock starts relative to the host's."""

from ..fields import Attr, Choice
from ..spec import Section


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
