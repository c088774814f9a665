"""The <domain> root and its identity: hypervisor type, id, name, uuid, title, description, metadata."""

from lxml import etree

from .. import layout
from ..element import Section
from ..fields import Attr, Choice, Field, Int, Str, Text, Uuid, descend

# libosinfo's namespace in <metadata>: virt-install and virt-manager record the guest's OS there.
OSINFO_NS = "http://libosinfo.org/xmlns/libvirt/domain/1.0"
_OSINFO = f"{{{OSINFO_NS}}}libosinfo"
_OSINFO_OS = f"{{{OSINFO_NS}}}os"


class MetadataXml(Field):
    """What applications keep in <metadata>, shown as XML; never written, so it survives as it is."""

    def read(self, el):
        node = self._node(el)
        if node is None:
            return None
        parts = [etree.tostring(c, encoding="unicode", with_tail=False) for c in node if isinstance(c.tag, str)]
        return " ".join(" ".join(p.split()) for p in parts) or None

    def write(self, el, value):
        raise TypeError("metadata is kept as it is, not written")


class OsinfoId(Attr):
    """<metadata><libosinfo:libosinfo><libosinfo:os id='...'/>: the path names <metadata> only
    (for the element order and the spec entry); the namespaced elements below are found here."""

    def _node(self, el, create=False):
        meta = descend(el, self.steps, create, self.owner)
        if meta is None:
            return None
        info = meta.find(_OSINFO)
        if info is None:
            if not create:
                return None
            info = etree.Element(_OSINFO, nsmap={"libosinfo": OSINFO_NS})
            layout.insert_at(meta, len(meta), info)
        os_node = info.find(_OSINFO_OS)
        if os_node is None and create:
            os_node = etree.Element(_OSINFO_OS)
            layout.insert_at(info, len(info), os_node)
        return os_node

    def read(self, el):
        node = self._node(el)
        return None if node is None else node.get("id")

    def write(self, el, value):
        node = self._node(el, create=value not in (None, ""))
        if node is None:
            return
        if value not in (None, ""):
            node.set("id", value)
            return
        node.attrib.pop("id", None)
        # Remove what is left empty, from <libosinfo:os> up to <metadata>.
        while node is not el and layout.is_empty(node):
            parent = node.getparent()
            layout.remove_keep_layout(node)
            node = parent


HYPERVISORS = ("kvm", "qemu", "xen", "lxc", "kqemu", "test", "vmware", "hyperv", "vbox", "vz", "bhyve", "openvz")


class General(Section):
    label = "General"
    section = "elements"
    doc_sections = ("general-metadata", "element-and-attribute-overview")

    domain_type = Attr(
        "@type",
        Choice(*HYPERVISORS),
        label="Hypervisor type",
        required=True,
        help="Which libvirt driver runs the guest: kvm for hardware-accelerated QEMU, qemu for pure "
        "emulation (TCG), xen, lxc for containers. The host must offer it.",
    )
    domain_id = Attr(
        "@id",
        Int(min=-1),
        label="Running id",
        readonly=True,
        help="The number a host gives a guest while it runs. Inactive definitions have none; "
        "libvirt ignores it when defining, so templates normally leave it empty.",
    )
    name = Text(
        "name",
        Str(pattern=r"(?s).*\S.*", hint="must not be empty", forbid="/"),
        label="Name",
        wrong_in_2008=True,  # "alpha-numeric characters" only; libvirt refuses just /
        required=True,
        help="Short name of the guest, unique on one host. libvirt only refuses '/' in it.",
    )
    uuid = Text(
        "uuid",
        Uuid(),
        label="UUID",
        help="Globally unique id of the guest (RFC 4122). Leave empty and libvirt generates one.",
    )
    title = Text(
        "title",
        Str(forbid="\n"),
        label="Title",
        help="A short human-readable title for the guest, shown by tools next to its name; one line.",
    )
    description = Text(
        "description",
        label="Description",
        help="Free text about the guest for people and tools; libvirt only stores it.",
    )
    metadata = MetadataXml(
        "metadata",
        label="Application metadata",
        readonly=True,
        help="XML that management applications keep in their own namespaces under <metadata>; "
        "shown here and kept exactly as it is.",
    )
    osinfo_id = OsinfoId(
        "metadata/@libosinfo",
        Str(pattern=r"\S+", hint="a libosinfo id such as http://ubuntu.com/ubuntu/22.04"),
        label="Operating system (libosinfo id)",
        help="The libosinfo id of the guest's OS, e.g. http://fedoraproject.org/fedora/39, which "
        "virt-install and virt-manager keep in the metadata to pick suitable defaults.",
    )
