"""The values a host offers the editor for a field (arch, domain type, machine, ...), from its capabilities."""

from builder.domainxml.elements import DEVICES, SECTIONS
from builder.hosts.host_choices import choices

# -- choices -------------------------------------------------------------------------------


def test_choices_for_the_default_arch(qemu):
    got = choices(qemu)
    assert got["Boot.arch"] == ["x86_64", "aarch64"]
    assert got["Boot.os_type"] == ["hvm"]
    assert got["General.domain_type"] == ["qemu", "kvm"]
    assert {"pc", "q35", "pc-q35-7.2"} <= set(got["Boot.machine"])
    assert got["Emulator.emulator"] == ["/usr/bin/qemu-system-x86_64"]
    assert got["Disk.target_bus"] == ["ide", "fdc", "scsi", "virtio", "usb", "sata"]
    assert got["Graphics.type"] == ["sdl", "vnc", "spice", "egl-headless"]
    assert got["Disk.device"] == ["disk", "cdrom", "floppy", "lun"]
    assert got["Boot.loader"] == ["/usr/share/OVMF/OVMF_CODE_4M.fd"]
    classes = {cls.__name__: cls for cls in (*SECTIONS, *DEVICES.values())}
    for key in got:
        owner, name = key.split(".")
        assert name in classes[owner].fields, key


def test_choices_for_an_arch_and_domain_type(qemu):
    got = choices(qemu, arch="aarch64", domain_type="qemu")
    assert got["Boot.machine"] == ["virt-7.2", "virt"]
    assert got["General.domain_type"] == ["qemu"]
    assert got["Disk.target_bus"] == ["scsi", "virtio", "usb"]
    assert got["Graphics.type"] == ["vnc"]
    assert choices(qemu, domain_type="kvm")["Boot.arch"] == ["x86_64"]


def test_choices_leave_out_what_the_host_did_not_say(qemu, test_offer):
    assert "Disk.target_bus" not in choices(qemu, arch="x86_64", domain_type="qemu")  # its caps were empty
    got = choices(test_offer)
    assert got["Boot.arch"] == ["i686"] and got["General.domain_type"] == ["test"]
    assert "Boot.machine" not in got  # it lists none and takes any
    assert "Disk.target_bus" not in got and "Graphics.type" not in got
