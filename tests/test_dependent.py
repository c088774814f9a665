"""Values that follow the machine type and the firmware (builder.domainxml.dependent), re-derived
when a person changes those, and reported as conflicts in a domain as it stands."""

from __future__ import annotations

import libvirt
import pytest
from lxml import etree

from builder.domainxml import dependent
from builder.domainxml.assemble import to_string
from builder.library import rendering, services
from builder.library.models import DeviceProfile
from tests.editor_support import changed, editor_form

PC_GUEST = """<domain type='kvm'>
  <name>dbtest-machine</name>
  <memory unit='MiB'>256</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/a.img'/>
      <target dev='hda' bus='ide'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/var/lib/libvirt/images/b.iso'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/c.img'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
    </disk>
    <controller type='ide' index='0'/>
    <controller type='pci' index='0' model='pci-root'/>
  </devices>
</domain>"""


def parse(xml: str) -> etree._Element:
    return etree.fromstring(xml)


def set_machine(root, machine):
    root.find("os/type").set("machine", machine)


def test_moving_to_q35_puts_ide_disks_on_sata_and_says_so():
    root = parse(PC_GUEST)
    before = dependent.state(root)
    set_machine(root, "q35")
    notes = dependent.rederive(before, root)
    buses = [(t.get("dev"), t.get("bus")) for t in root.iterfind("devices/disk/target")]
    assert buses == [("sda", "sata"), ("sdb", "sata"), ("vda", "virtio")]
    assert root.find("devices/disk/address") is None  # the IDE drive address went with the bus
    assert root.find("devices/controller[@type='ide']") is None
    assert root.find("devices/controller[@type='pci']").get("model") == "pcie-root"
    messages = [n.message for n in notes]
    assert "IDE is not available on q35: the disk hda is now on SATA, as sda." in messages
    assert "IDE is not available on q35: the CD-ROM hdc is now on SATA, as sdb." in messages
    assert any("PCI address" in m and "libvirt lays them out again" in m for m in messages)
    assert [n.field for n in notes if "SATA" in n.message] == ["Disk.target_bus", "Disk.target_bus"]


def test_the_result_is_what_libvirt_accepts_and_the_conflict_is_what_qemu_refuses(define, qemu_uri):
    root = parse(PC_GUEST)
    before = dependent.state(root)
    set_machine(root, "q35")
    dependent.rederive(before, root)
    assert [p for p in services.check(root) if p.level == "error"] == []
    assert define(to_string(root))
    # On a real QEMU libvirtd: the re-derived guest defines; left on IDE, libvirt refuses it.
    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open(qemu_uri)
    try:
        root.set("type", "qemu")
        dom = conn.defineXMLFlags(to_string(root), libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
        dom.undefine()
        unchanged = parse(PC_GUEST)
        unchanged.set("type", "qemu")
        set_machine(unchanged, "q35")
        for node in [*unchanged.findall("devices/disk/address"), *unchanged.findall("devices/controller")]:
            node.getparent().remove(node)  # left to libvirt: only the IDE bus stands out
        with pytest.raises(libvirt.libvirtError, match=r"(?i)\bide\b"):
            conn.defineXMLFlags(to_string(unchanged), libvirt.VIR_DOMAIN_DEFINE_VALIDATE).undefine()
        assert any("IDE is not available on q35" in p.message for p in services.check(unchanged))
    finally:
        conn.close()


def test_nothing_changes_while_the_machine_and_firmware_stay():
    root = parse(PC_GUEST)
    before = dependent.state(root)
    root.find("memory").text = "512"
    assert dependent.rederive(before, root) == []
    assert etree.tostring(root) == etree.tostring(
        (lambda r: (r.find("memory").__setattr__("text", "512"), r)[1])(parse(PC_GUEST))
    )


def test_a_machine_type_that_is_a_parameter_is_left_alone():
    root = parse(PC_GUEST)
    before = dependent.state(root)
    set_machine(root, "${machine}")
    assert dependent.rederive(before, root) == []


def test_secure_boot_brings_q35_and_smm():
    root = parse(PC_GUEST)
    before = dependent.state(root)
    os_el = root.find("os")
    os_el.set("firmware", "efi")
    etree.SubElement(etree.SubElement(os_el, "firmware"), "feature", enabled="yes", name="secure-boot")
    notes = [n.message for n in dependent.rederive(before, root)]
    assert root.find("os/type").get("machine") == "q35"
    assert root.find("features/smm").get("state") == "on"
    assert notes[0] == "The machine type is now q35 (was pc): secure boot needs it."
    assert any("SMM" in m for m in notes) and any("SATA" in m for m in notes)


def test_leaving_q35_with_secure_boot_turns_secure_boot_off():
    root = parse(PC_GUEST)
    set_machine(root, "q35")
    os_el = root.find("os")
    os_el.set("firmware", "efi")
    etree.SubElement(etree.SubElement(os_el, "firmware"), "feature", enabled="yes", name="secure-boot")
    before = dependent.state(root)
    set_machine(root, "pc")
    notes = [n.message for n in dependent.rederive(before, root)]
    assert root.find("os/firmware/feature").get("enabled") == "no"
    assert "Turned secure boot off: it needs a q35 machine." in notes
    assert root.find("os/type").get("machine") == "pc"


def test_a_crb_tpm_moves_to_tis_on_pc():
    root = parse(PC_GUEST.replace("machine='pc'", "machine='q35'"))
    etree.SubElement(root.find("devices"), "tpm", model="tpm-crb").append(
        etree.Element("backend", type="emulator", version="2.0")
    )
    before = dependent.state(root)
    set_machine(root, "pc-i440fx-7.2")
    notes = [n.message for n in dependent.rederive(before, root)]
    assert root.find("devices/tpm").get("model") == "tpm-tis"
    assert any("CRB interface needs q35" in m for m in notes)


# -- through the editor ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_editor_saves_the_rederived_bus_and_says_why(client):
    template = services.import_domain(PC_GUEST.encode()).template
    # The IDE cdrom comes from a profile: the change keeps it as this template's own copy.
    cdrom = template.slots.order_by("position")[1]
    profile = DeviceProfile.objects.create(name="ide cdrom", xml=cdrom.xml)
    cdrom.profile, cdrom.xml = profile, ""
    cdrom.save()
    data = changed(editor_form(client, template), {"boot-machine": "q35"})
    preview = client.post(f"/templates/{template.pk}/preview/", data).content.decode()
    assert "Changed to fit the new machine type or firmware" in preview
    assert "bus=&quot;sata&quot;" in preview or "sata" in preview
    page = client.post(f"/templates/{template.pk}/", data, follow=True).content.decode()
    assert "IDE is not available on q35: the disk hda is now on SATA, as sda." in page
    xml = rendering.render_xml(template)
    assert 'bus="ide"' not in xml and xml.count('bus="sata"') == 2
    cdrom.refresh_from_db()
    assert cdrom.profile is None and "sata" in cdrom.xml  # detached, not silently dropped
    profile.refresh_from_db()
    assert "ide" in profile.xml  # the profile itself is left as it was
    assert rendering.slots_of(template)[0].xml.count("sata") == 1
