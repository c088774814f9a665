"""<graphics>: the guest's display, shown in a local window or served over VNC or SPICE."""

from .. import layout
from ..element import Device
from ..fields import Attr, Choice, Int, Str, YesNo

LISTEN_DETAILS = ("address", "network", "socket")  # what each listen type needs besides its type


class ListenType(Attr):
    """<listen type=...>: libvirt wants the type on every <listen>, so clearing it drops the
    element; another type drops what the old one needed. A new type='address' starts from the
    graphics' own listen= address, the place libvirt keeps in step with it; any other type drops
    listen=, which libvirt would drop itself."""

    def write(self, el, value):
        node = self._node(el)
        if value in (None, ""):
            if node is not None:
                parent = node.getparent()
                layout.remove_keep_layout(node)
                if parent is not el and layout.is_empty(parent):
                    layout.remove_keep_layout(parent)
            return
        if node is None:
            node = self._node(el, create=True)
        elif node.get("type") != value:
            for attr in LISTEN_DETAILS:
                node.attrib.pop(attr, None)
        node.set("type", value)
        if value != "address":
            el.attrib.pop("listen", None)  # libvirt drops listen= unless the listener is an address
        elif el.get("listen") and not node.get("address"):
            node.set("address", el.get("listen"))


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
        help="vnc or spice serve the display over the network (spice also carries sound, USB and "
        "clipboard, through virt-viewer); sdl opens a window on the host's desktop.",
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
    listen_type = ListenType(
        "listen/@type",
        Choice("address", "network", "socket", "none"),
        label="Listen on",
        help="address: an IP address of the host (below); network: an address of a libvirt network; "
        "socket: a Unix socket; none: no listener, for local clients only.",
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

    image_compression = Attr(
        "image/@compression",
        Choice("auto_glz", "auto_lz", "quic", "glz", "lz", "off"),
        label="Image compression",
        doc=("graphics", "compression"),  # one sentence for every SPICE compression element
        help="How SPICE compresses images it sends: auto_glz suits most links; off saves host CPU on a fast LAN.",
        when={"type": ("spice",)},
    )

    def summary(self) -> str:
        where = "auto" if self["autoport"] == "yes" or self["port"] in (None, "-1") else self["port"]
        return f"{self['type']} port {where}"
