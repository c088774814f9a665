"""Reading and writing through the declarations, on the cases that are easy to get wrong."""

import pytest
from lxml import etree

from builder.domainxml.elements import Boot, Disk, Features, Interface, Serial
from tests.helpers import diff

UDP = (
    "<serial type='udp'><source mode='bind' host='0.0.0.0' service='2445'/>"
    "<source mode='connect' host='192.168.1.10' service='2446'/><target port='0'/></serial>"
)


def node(xml: str) -> etree._Element:
    return etree.fromstring(xml)


def rewrite(cls, src: str, want: str) -> etree._Element:
    el = node(src)
    cls(el).apply(cls(node(want)).values())
    assert diff(el, node(want)) == [], etree.tostring(el)
    return el


def test_it_leaves_no_source_behind_when_udp_becomes_pty():
    rewrite(Serial, UDP, "<serial type='pty'><target port='0'/></serial>")


def test_it_replaces_both_udp_sources_by_one_tcp_source(define):
    want = (
        "<serial type='tcp'><source mode='connect' host='192.168.1.20' service='4555'/>"
        "<protocol type='telnet'/><target port='0'/></serial>"
    )
    el = rewrite(Serial, UDP, want)
    serial = etree.tostring(el, encoding="unicode")
    xml = (
        "<domain type='qemu'><name>udp2tcp</name><memory>65536</memory><os><type>hvm</type></os>"
        f"<devices>{serial}</devices></domain>"
    )
    assert define(xml)


def test_it_reads_udp_sources_in_either_order():
    connect_first = (
        "<serial type='udp'><source mode='connect' host='10.0.0.2' service='2'/>"
        "<source mode='bind' host='10.0.0.1' service='1'/><target port='0'/></serial>"
    )
    values = Serial(node(connect_first)).values()
    assert (values["bind_host"], values["connect_host"]) == ("10.0.0.1", "10.0.0.2")
    el = node("<serial type='pty'><target port='0'/></serial>")
    Serial(el).apply(values)
    assert sorted(s.get("mode") for s in el.iterfind("source")) == ["bind", "connect"]


def test_it_removes_what_no_longer_applies_when_the_type_changes():
    el = node("<disk type='file'><source file='/a.img'/><target dev='vda'/></disk>")
    changed = Disk(el).apply({"type": "block", "source_dev": "/dev/vg/a"})
    assert changed == ["source_file", "type", "source_dev"]
    assert etree.tostring(el) == b'<disk type="block"><source dev="/dev/vg/a"/><target dev="vda"/></disk>'


def test_it_does_not_write_values_that_do_not_apply():
    el = node("<interface type='user'/>")
    assert Interface(el).apply({"source_bridge": "br0"}) == []
    assert el.find("source") is None


def test_it_keeps_what_it_does_not_declare_when_it_rewrites_a_source():
    el = node(
        "<disk type='file'><source file='/a.img' index='3'><seclabel model='dac'/></source><target dev='vda'/></disk>"
    )
    Disk(el).apply({"source_file": "/b.img"})
    assert el.find("source").get("index") == "3" and el.find("source/seclabel") is not None


def test_it_creates_missing_elements_where_libvirt_puts_them():
    el = node("<domain><name>x</name><devices/></domain>")
    Features(el).apply({"pae": "yes", "acpi": "yes"})
    Boot(el).apply({"os_type": "hvm", "kernel": "/k", "boot_devices": ["hd"]})
    assert [c.tag for c in el] == ["name", "os", "features", "devices"]
    assert [c.tag for c in el.find("features")] == ["acpi", "pae"]
    assert [c.tag for c in el.find("os")] == ["type", "kernel", "boot"]


def test_it_keeps_the_indentation_of_the_document():
    src = (
        "<domain>\n  <name>x</name>\n  <devices>\n    <disk type='file'>\n"
        "      <target dev='vda'/>\n    </disk>\n  </devices>\n</domain>"
    )
    el = node(src)
    Disk(el.find("devices/disk")).apply({"source_file": "/a.img"})
    text = etree.tostring(el, encoding="unicode")
    assert '\n      <source file="/a.img"/>\n      <target dev="vda"/>\n    </disk>' in text


def test_it_keeps_boot_entries_in_place_and_their_other_attributes():
    el = node("<domain><os><type>hvm</type><boot dev='hd' extra='1'/><boot dev='cdrom'/></os></domain>")
    Boot(el).apply({"boot_devices": ["network"]})
    assert etree.tostring(el.find("os")) == b'<os><type>hvm</type><boot dev="network" extra="1"/></os>'
    Boot(el).apply({"boot_devices": []})
    assert el.find("os/boot") is None


def test_it_checks_values_the_way_libvirt_does():
    from builder.domainxml.elements import General, Interface, Resources

    name = General.fields["name"]
    assert name.clean("web server #1 (prod)") == "web server #1 (prod)"  # only '/' is refused
    for bad in ("a/b", "", "   "):
        with pytest.raises(ValueError):
            name.clean(bad)
    assert General.fields["uuid"].clean("4dea22b31d52d8f32516782e98ab3fa0") == "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"
    with pytest.raises(ValueError, match="multicast"):
        Interface.fields["mac"].clean("11:22:33:44:55:66")
    assert Interface.fields["mac"].clean("52:54:00:AB:cd:01") == "52:54:00:ab:cd:01"
    with pytest.raises(ValueError, match="reserved"):
        Interface.fields["target_dev"].clean("vnet7")
    with pytest.raises(ValueError, match="whole number"):
        Resources.fields["memory"].clean("lots")
    assert Resources.fields["memory"].conv.to_python("0524288") == 524288


# -- real `virsh dumpxml` files: live-only parts, odd layouts -------------------------------------

DUMPXML_VNC = (
    "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>"
    "<listen type='address' address='127.0.0.1'/></graphics>"
)


def test_it_keeps_both_places_of_the_listen_address_in_step(define):
    from builder.domainxml.elements import Graphics

    el = node(DUMPXML_VNC)
    Graphics(el).apply({"listen": "0.0.0.0"})
    assert (el.get("listen"), el.find("listen").get("address")) == ("0.0.0.0", "0.0.0.0")
    xml = (
        "<domain type='qemu'><name>listen</name><memory>65536</memory><os><type>hvm</type></os>"
        f"<devices>{etree.tostring(el, encoding='unicode')}</devices></domain>"
    )
    assert define(xml)
    Graphics(el).apply({"type": "sdl"})
    assert el.find("listen") is None and el.get("listen") is None


def test_it_reads_the_listen_address_from_the_listen_element_alone():
    from builder.domainxml.elements import Graphics

    el = node("<graphics type='vnc'><listen type='address' address='10.0.0.5'/></graphics>")
    assert Graphics(el)["listen"] == "10.0.0.5"


def test_it_removes_a_text_element_with_its_attributes_when_cleared():
    from builder.domainxml.elements import Resources

    el = node(
        "<domain><memory unit='KiB'>1048576</memory><currentMemory unit='KiB'>524288</currentMemory>"
        "<vcpu placement='static'>2</vcpu></domain>"
    )
    Resources(el).apply({"current_memory": "", "vcpu": None})
    assert [c.tag for c in el] == ["memory"]


def test_it_reads_and_writes_a_value_split_by_a_comment():
    from builder.domainxml.elements import Resources

    el = node("<domain><memory><!-- half -->524288</memory></domain>")
    assert Resources(el)["memory"] == "524288"
    Resources(el).apply({"memory": "1048576"})
    assert etree.tostring(el) == b"<domain><memory>1048576<!-- half --></memory></domain>"


def test_it_takes_python_booleans_for_flags():
    el = node("<domain><features><acpi/><apic/></features></domain>")
    Features(el).apply({"acpi": True, "apic": True, "pae": True})
    assert [c.tag for c in el.find("features")] == ["acpi", "apic", "pae"]


def test_it_refuses_values_libvirt_would_reject_and_writes_nothing():
    from builder.domainxml.element import InvalidValues

    el = node("<interface type='user'/>")
    with pytest.raises(InvalidValues) as refused:
        Interface(el).apply({"mac": "11:22:33:44:55:66", "target_dev": "vnet7", "type": "network"})
    assert set(refused.value.errors) == {"mac", "target_dev"}
    assert etree.tostring(el) == b'<interface type="user"/>'


def test_it_uses_libvirts_default_when_the_controlling_value_is_absent():
    el = node("<disk device='cdrom'><source file='/a.iso'/><target dev='hdc'/></disk>")
    assert Disk(el).values()["source_file"] == "/a.iso"  # type defaults to file
    assert Disk(el).apply({"source_file": "/b.iso"}) == ["source_file"]


def test_it_never_writes_a_read_only_field():
    from builder.domainxml.elements import General

    el = node("<domain type='xen' id='3'><name>x</name></domain>")
    assert General(el).apply({"domain_id": None}) == []
    assert el.get("id") == "3"


def test_it_keeps_comments_with_the_device_they_describe():
    from builder.domainxml.assemble import assemble, split

    src = node(
        "<domain><name>c</name><devices><!-- top --><emulator>/e</emulator><!-- the disk -->"
        "<disk type='file'><target dev='vda'/></disk><!-- the nic --><interface type='user'/>"
        "<!-- end --></devices></domain>"
    )
    template, devices = split(src)
    assert devices[0].startswith("<!-- the disk -->") and devices[1].endswith("<!-- end -->")
    assert diff(src, assemble(template, devices)) == []
    moved = assemble(template, reversed(devices))
    labels = [n.tag if isinstance(n.tag, str) else n.text.strip() for n in moved.find("devices")]
    assert labels == ["top", "emulator", "the nic", "interface", "end", "the disk", "disk"]
