"""<graphics>: the guest's display, shown in a local window or served over VNC."""

from ..fields import Attr, Choice, Int, Str, YesNo
from ..spec import Device


class Graphics(Device):
    tag = "graphics"
    label = "Graphics"
    section = "elementsGraphics"
    doc_sections = ("graphical-framebuffers",)
    starter = {"type": "vnc", "autoport": "yes", "listen": "127.0.0.1"}

    type = Attr(
        "@type",
        Choice("vnc", "spice", "sdl", "rdp", "desktop", "egl-headless", "dbus"),
        label="Type",
        required=True,
        help="vnc serves the display over the network; sdl opens a window on the host's desktop.",
    )
    port = Attr(
        "@port",
        Int(min=-1, max=65535),
        label="Port",
        help="TCP port of the VNC server. -1 (old form) or autoport lets libvirt pick a free one.",
        when={"type": ("vnc", "spice", "rdp")},
    )
    autoport = Attr(
        "@autoport",
        YesNo(),
        label="Pick port automatically",
        help="yes lets libvirt choose a free port when the guest starts.",
        when={"type": ("vnc", "spice", "rdp")},
    )
    listen = Attr(
        "@listen",
        Str(pattern=r"[0-9a-fA-F.:]+", hint="an IP address such as 127.0.0.1"),
        mirror="listen[@type='address']/@address",
        label="Listen address",
        help="Host address the server listens on. 127.0.0.1 keeps it local; 0.0.0.0 exposes it on every interface.",
        when={"type": ("vnc", "spice", "rdp")},
    )
    passwd = Attr(
        "@passwd",
        label="Password",
        wrong_in_2008=True,  # calls it password
        help="VNC password, stored in clear text in the XML. (The 2008 text named it password; "
        "libvirt drops that name, the importer renames it.)",
        when={"type": ("vnc", "spice")},
    )

    def summary(self) -> str:
        where = "auto" if self["autoport"] == "yes" or self["port"] in (None, "-1") else self["port"]
        return f"{self['type']} port {where}"
