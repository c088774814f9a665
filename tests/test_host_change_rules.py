"""builder.hosts.changes' matching rules, pure lxml: hand-written QEMU-style returned documents.

Identity not order, sizes by amount, documented equivalents, losses as problems, unreadable input.
"""

from __future__ import annotations

import pytest

from builder.hosts.changes import Changes, classify
from tests.host_support import change_paths as _paths

SENT = """<domain type='kvm'>
  <name>web</name>
  <memory unit='MiB'>2048</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/web.qcow2'/><target dev='vda'/></disk>
    <disk type='file' device='cdrom'><source file='/srv/iso/install.iso'/><target dev='sda' bus='sata'/></disk>
    <interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/></interface>
    <interface type='network'><mac address='52:54:00:12:34:57'/><source network='backend'/></interface>
    <serial type='pty'/>
    <graphics type='spice' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>
    <input type='tablet' bus='usb'/>
  </devices>
</domain>"""

# Written by hand in the shape qemu:///system gives back (not copied from libvirt).
QEMU_RETURNED = """<domain type='kvm'>
  <name>web</name>
  <uuid>7f2a3a4e-2b1c-4c8e-9b0c-2f6f1b1d5e01</uuid>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <resource><partition>/machine</partition></resource>
  <os>
    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/srv/iso/install.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/web.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
    </disk>
    <controller type='usb' index='0' model='piix3-uhci'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>
    </controller>
    <controller type='pci' index='0' model='pci-root'/>
    <controller type='sata' index='0'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
    </controller>
    <interface type='network'>
      <mac address='52:54:00:12:34:57'/>
      <source network='backend'/>
      <model type='rtl8139'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:12:34:56'/>
      <source network='default'/>
      <model type='rtl8139'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </interface>
    <serial type='pty'>
      <target type='isa-serial' port='0'><model name='isa-serial'/></target>
    </serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>
    <input type='mouse' bus='ps2'/>
    <input type='keyboard' bus='ps2'/>
    <graphics type='spice' autoport='yes'>
      <listen type='address' address='127.0.0.1'/>
      <image compression='off'/>
    </graphics>
    <video>
      <model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/>
    </video>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </memballoon>
  </devices>
  <seclabel type='dynamic' model='dac' relabel='yes'/>
</domain>"""


def test_qemu_style_define_is_all_expected():
    result = classify(SENT, QEMU_RETURNED)

    assert result.problems == []
    kinds = {c.path: c.kind for c in result.expected}
    assert kinds["/domain/os/type/@machine"] == "normalised"
    assert kinds["/domain/memory"] == "normalised"
    for path in (
        "/domain/devices/controller[1]",
        "/domain/devices/controller[2]",
        "/domain/devices/controller[3]",
        "/domain/devices/console[1]",
        "/domain/devices/video[1]",
        "/domain/devices/memballoon[1]",
        "/domain/devices/emulator[1]",
        "/domain/seclabel",
        "/domain/resource",
        "/domain/devices/disk[2]/address",  # vda, second in the returned order
        "/domain/devices/interface[2]/model",  # 52:54:00:12:34:56, matched by MAC not by order
    ):
        assert kinds.get(path) == "added", path


def test_matching_follows_identity_not_order():
    # Interfaces are matched by MAC, disks by target dev, whatever order libvirt writes them in:
    # swapping the networks in the returned document shows as each interface's network changed.
    swapped = (
        QEMU_RETURNED.replace("'backend'", "'TMP'").replace("'default'", "'backend'").replace("'TMP'", "'default'")
    )
    problems = classify(SENT, swapped).problems
    assert {(c.kind, c.path) for c in problems} == {
        ("changed", "/domain/devices/interface[1]/source/@network"),
        ("changed", "/domain/devices/interface[2]/source/@network"),
    }


def test_reordered_top_level_children_are_not_a_change():
    sent = "<domain type='kvm'><name>a</name><title>t</title><os><type>hvm</type></os><vcpu>1</vcpu></domain>"
    back = "<domain type='kvm'><vcpu>1</vcpu><os><type>hvm</type></os><title>t</title><name>a</name></domain>"
    assert classify(sent, back) == Changes()


def test_sizes_compare_by_amount():
    def one(sent_memory: str, back_memory: str) -> Changes:
        return classify(f"<domain>{sent_memory}</domain>", f"<domain>{back_memory}</domain>")

    same = one("<memory unit='G'>2</memory>", "<memory unit='KiB'>2097152</memory>")
    assert [c.kind for c in same.expected] == ["normalised"] and same.problems == []
    # KB is 1000 bytes, not 1024: 1000 KB = 976.5625 KiB, rounded up to whole KiB is documented.
    rounded = one("<memory unit='KB'>1000</memory>", "<memory unit='KiB'>977</memory>")
    assert [c.kind for c in rounded.expected] == ["normalised"] and "rounded" in rounded.expected[0].text
    smaller = one("<memory unit='MiB'>512</memory>", "<memory unit='KiB'>262144</memory>")
    assert [c.kind for c in smaller.problems] == ["changed"]
    tune = one(
        "<memtune><hard_limit unit='GiB'>1</hard_limit></memtune>",
        "<memtune><hard_limit unit='KiB'>1048576</hard_limit></memtune>",
    )
    assert tune.problems == [] and tune.expected[0].path == "/domain/memtune/hard_limit"


def test_values_only_match_when_documented_as_equivalent():
    sent = "<domain><features><pae/></features><devices><graphics type='vnc' sharePolicy='allow-exclusive'/>"
    sent += "<hostdev mode='subsystem' type='pci' managed='yes'><source><address bus='1' slot='3'/></source>"
    sent += "</hostdev></devices></domain>"
    back = sent.replace("managed='yes'", "managed='on'").replace("bus='1' slot='3'", "bus='0x01' slot='0x03'")
    back = back.replace("allow-exclusive", "force-shared")
    result = classify(sent, back)
    assert {(c.kind, c.path) for c in result.problems} == {
        ("changed", "/domain/devices/hostdev[1]/@managed"),
        ("changed", "/domain/devices/graphics[1]/@sharePolicy"),
    }
    assert _paths(result.expected, "normalised") == {
        "/domain/devices/hostdev[1]/source/address/@bus",
        "/domain/devices/hostdev[1]/source/address/@slot",
    }


def test_machine_alias_expansion_is_normalised_but_another_machine_is_not():
    def machine(a: str, b: str) -> Changes:
        return classify(
            f"<domain><os><type machine='{a}'>hvm</type></os></domain>",
            f"<domain><os><type machine='{b}'>hvm</type></os></domain>",
        )

    assert machine("pc", "pc-i440fx-7.2").expected[0].kind == "normalised"
    assert machine("q35", "pc-q35-8.0").expected[0].kind == "normalised"
    assert machine("pc", "pc-q35-8.0").problems[0].kind == "changed"


def test_losses_are_problems():
    sent = """<domain><name>a</name><description>keep me</description>
      <metadata><app:x xmlns:app='urn:a' v='1'>text</app:x></metadata>
      <devices><disk device='disk'><target dev='vda'/></disk><disk device='disk'><target dev='vdb'/></disk>
      <rng model='virtio'/></devices></domain>"""
    back = """<domain><name>a</name>
      <metadata><b:x xmlns:b='urn:a' v='2'>text</b:x></metadata>
      <devices><disk device='disk'><target dev='vdb'/></disk></devices></domain>"""
    problems = {(c.kind, c.path) for c in classify(sent, back).problems}
    assert problems == {
        ("dropped", "/domain/description"),
        ("changed", "/domain/metadata/app:x/@v"),  # same namespace, another prefix: still matched
        ("dropped", "/domain/devices/disk[1]"),  # vda, whichever position vdb took
        ("dropped", "/domain/devices/rng[1]"),
    }


def test_comments_are_one_note_however_many():
    sent = "<!-- a --><domain><!-- b --><name>a</name><devices><!-- c --></devices></domain>"
    result = classify(sent, "<domain><name>a</name><devices/></domain>")
    assert result.problems == []
    assert [c.kind for c in result.expected] == ["normalised"]


@pytest.mark.parametrize(
    "sent, returned",
    [
        ("", "<domain/>"),
        ("<domain>", "<domain/>"),
        ("<domain/>", "not xml"),
        (None, "<domain/>"),
        (42, "<domain/>"),
        (b"\xff\xfe<", "<domain/>"),
        ("<domain/>", "<domain/><domain/>"),
    ],
)
def test_never_raises_on_unreadable_input(sent, returned):
    result = classify(sent, returned)
    assert len(result.problems) == 1 and result.problems[0].kind == "unreadable"
    assert "could not be read" in result.problems[0].text
    assert result.expected == []


def test_an_encoding_declaration_in_a_str_is_read():
    # lxml refuses a str that declares an encoding; libvirt's XMLDesc output has none, a file may.
    sent = "<?xml version='1.0' encoding='ISO-8859-1'?>\n<domain><name>\u00e9t\u00e9</name></domain>"
    assert classify(sent, "<domain><name>\u00e9t\u00e9</name></domain>") == Changes()
    assert classify(sent.encode("latin-1"), b"<domain><name>\xc3\xa9t\xc3\xa9</name></domain>") == Changes()


def test_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    sent = f"<!DOCTYPE domain [<!ENTITY x SYSTEM 'file://{secret}'>]><domain><name>&x;</name></domain>"
    result = classify(sent, "<domain><name>a</name></domain>")
    assert "TOP-SECRET" not in repr(result)
