"""The <domain> root and its identity: hypervisor type, id, name, uuid."""

from ..fields import Attr, Choice, Int, Str, Text, Uuid
from ..spec import Section

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
