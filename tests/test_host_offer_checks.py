"""The parts of a domain a host cannot run, judged against what its capabilities offer.

Each check names the editor field at fault; what the capabilities leave unsaid is not judged.
"""

from lxml import etree

from builder.domainxml.elements import DEVICES, SECTIONS
from builder.hosts.host_offer import offer
from builder.hosts.offer_checks import host_problems
from tests.capabilities_support import KVM_PC, KVM_Q35, QEMU_CAPS, QEMU_X86_BIOS, XEN_CAPS, disk, domain, fields

# -- checks ----------------------------------------------------------------------------------


def test_a_domain_the_host_runs_has_no_problems(qemu):
    devices = (
        disk("virtio")
        + disk("ide", "cdrom", "hdc")
        + "<graphics type='vnc' autoport='yes'/><video><model type='virtio'/></video>"
        + "<emulator>/usr/bin/qemu-system-x86_64</emulator>"
    )
    assert host_problems(domain(devices, machine="pc"), qemu) == []
    assert host_problems(domain(devices, machine="pc-i440fx-7.2"), qemu) == []
    assert host_problems(domain(disk("virtio"), dtype="qemu", arch="aarch64", machine="virt"), qemu) == []


def test_an_os_type_the_host_lacks(qemu):
    found = host_problems(domain(os_type="exe"), qemu)
    assert fields(found) == ["Boot.os_type"]
    assert found[0].level == "error" and found[0].path == "/domain/os/type"
    assert "'exe'" in found[0].message and "hvm" in found[0].message


def test_xen_reads_linux_as_its_paravirt_os_type():
    xen = offer(XEN_CAPS)
    assert host_problems(domain(dtype="xen", os_type="linux", machine="xenpv"), xen) == []
    assert fields(host_problems(domain(dtype="kvm", os_type="linux"), xen)) == ["General.domain_type"]


def test_an_arch_the_host_lacks(qemu):
    found = host_problems(domain(arch="riscv64", machine="virt"), qemu)
    assert fields(found) == ["Boot.arch"]  # machine and type are not judged against an arch it lacks
    assert "riscv64" in found[0].message and "x86_64, aarch64" in found[0].message
    assert host_problems(domain(arch="aarch64", dtype="qemu"), qemu) == []


def test_a_domain_type_the_arch_lacks(qemu):
    found = host_problems(domain(dtype="kvm", arch="aarch64"), qemu)
    assert fields(found) == ["General.domain_type"]
    assert found[0].path == "/domain" and "'kvm'" in found[0].message and "aarch64" in found[0].message
    assert host_problems(domain(dtype="qemu", arch="aarch64"), qemu) == []


def test_without_an_arch_the_hosts_own_is_assumed(qemu):
    assert host_problems(domain(arch="", machine="q35"), qemu) == []
    assert fields(host_problems(domain(arch="", machine="virt"), qemu)) == ["Boot.machine"]
    assert fields(host_problems(domain(dtype="xen", arch=""), qemu)) == ["General.domain_type"]


def test_a_machine_type_the_arch_lacks(qemu):
    found = host_problems(domain(machine="pc-q35-5.0"), qemu)
    assert fields(found) == ["Boot.machine"]
    assert "pc-q35-5.0" in found[0].message and "q35" in found[0].message
    for ok in ("q35", "pc-q35-7.2", "pc", "isapc"):
        assert host_problems(domain(machine=ok), qemu) == []
    assert fields(host_problems(domain(machine="virt"), qemu)) == ["Boot.machine"]  # aarch64's, not x86_64's


def test_long_lists_are_shortened():
    many = "".join(f"<machine>pc-q35-{n}.0</machine>" for n in range(20))
    got = offer(QEMU_CAPS.replace("<machine maxCpus='1'>isapc</machine>", many))
    message = host_problems(domain(machine="nope"), got)[0].message
    assert "more" in message and "pc-q35-19.0" not in message


def test_an_emulator_the_host_does_not_list(qemu):
    found = host_problems(domain("<emulator>/opt/qemu/bin/qemu-wrapper</emulator>"), qemu)
    assert fields(found) == ["Emulator.emulator"]
    # QEMU's driver runs any binary that exists: a wrapper works, so this is only worth knowing.
    assert found[0].level == "warning" and "/usr/bin/qemu-system-x86_64" in found[0].message
    assert found[0].path == "/domain/devices/emulator"
    assert host_problems(domain("<emulator>/usr/bin/qemu-system-x86_64</emulator>"), qemu) == []


def test_a_disk_bus_the_host_lacks(qemu):
    found = host_problems(domain(disk("virtio") + disk("xen", dev="xvda")), qemu)
    assert fields(found) == ["Disk.target_bus"]
    assert found[0].path == "/domain/devices/disk[2]" and "'xen'" in found[0].message
    assert "virtio" in found[0].message
    assert fields(host_problems(domain(disk("ide"), dtype="qemu", arch="aarch64"), qemu)) == ["Disk.target_bus"]


def test_ide_on_q35_is_judged_by_q35s_own_capabilities():
    both = offer(QEMU_CAPS, {"kvm x86_64 pc-i440fx-7.2": KVM_PC, "kvm x86_64 pc-q35-7.2": KVM_Q35})
    assert fields(host_problems(domain(disk("ide"), machine="q35"), both)) == ["Disk.target_bus"]
    assert host_problems(domain(disk("ide"), machine="pc"), both) == []
    # No machine named and none of the documents is for the default one: buses unknown, graphics not.
    assert both.disk_buses("kvm", "x86_64") is None
    assert fields(host_problems(domain(disk("xen") + "<graphics type='rdp'/>"), both)) == ["Graphics.type"]
    # Only the default machine's capabilities: they say nothing about q35's buses.
    only_pc = offer(QEMU_CAPS, {"kvm x86_64": KVM_PC})
    assert host_problems(domain(disk("ide"), machine="q35"), only_pc) == []
    assert host_problems(domain(disk("ide"), machine="pc-i440fx-6.2"), only_pc) == []


def test_a_disk_device_the_host_lacks(qemu):
    found = host_problems(domain(disk("virtio", "floppy"), dtype="qemu", arch="aarch64"), qemu)
    assert fields(found) == ["Disk.device"]
    assert host_problems(domain(disk("virtio", "floppy")), qemu) == []


def test_a_graphics_type_the_host_lacks(qemu):
    found = host_problems(domain("<graphics type='rdp'/>"), qemu)
    assert fields(found) == ["Graphics.type"]
    assert found[0].path == "/domain/devices/graphics" and "vnc" in found[0].message
    assert fields(host_problems(domain("<graphics type='spice'/>", dtype="qemu", arch="aarch64"), qemu)) == [
        "Graphics.type"
    ]
    assert host_problems(domain("<graphics type='spice'/>"), qemu) == []


def test_a_video_model_the_host_lacks(qemu):
    found = host_problems(domain("<video><model type='qxl'/></video>"), qemu)
    assert len(found) == 1 and found[0].level == "error"
    assert found[0].path == "/domain/devices/video" and "'qxl'" in found[0].message
    assert found[0].field == "Video.model_type"
    assert host_problems(domain("<video><model type='cirrus'/></video>"), qemu) == []


def test_uefi_where_the_host_has_no_uefi_firmware():
    bios = offer(QEMU_CAPS, {"qemu x86_64": QEMU_X86_BIOS})
    found = host_problems(domain(dtype="qemu", os_attrs=" firmware='efi'"), bios)
    assert fields(found) == ["Boot.firmware"] and found[0].path == "/domain/os" and "bios" in found[0].message
    pflash = "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"
    assert fields(host_problems(domain(dtype="qemu", os_extra=pflash), bios)) == ["Boot.loader_type"]
    assert host_problems(domain(dtype="qemu", os_attrs=" firmware='bios'"), bios) == []
    rom = "<loader type='rom'>/usr/share/seabios/bios.bin</loader>"
    assert host_problems(domain(dtype="qemu", os_extra=rom), bios) == []
    both = host_problems(domain(dtype="qemu", os_attrs=" firmware='efi'", os_extra=pflash), bios)
    assert fields(both) == ["Boot.firmware"]  # one problem, not the same one twice
    unsupported = offer(QEMU_CAPS, {"qemu x86_64": "<domainCapabilities><os supported='no'/></domainCapabilities>"})
    assert fields(host_problems(domain(dtype="qemu", os_attrs=" firmware='efi'"), unsupported)) == ["Boot.firmware"]


def test_uefi_where_the_host_has_it(qemu):
    pflash = "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
    assert host_problems(domain(os_attrs=" firmware='efi'"), qemu) == []
    assert host_problems(domain(os_extra=pflash), qemu) == []
    assert host_problems(domain(dtype="qemu", arch="aarch64", os_attrs=" firmware='efi'"), qemu) == []
    rom = "<loader type='rom'>/usr/share/seabios/bios.bin</loader>"
    assert host_problems(domain(dtype="qemu", arch="aarch64", os_attrs=" firmware='efi'", os_extra=rom), qemu) == []


def test_template_parameters_are_not_judged(qemu):
    devices = (
        disk("${bus}")
        + "<graphics type='${display}'/><video><model type='${video}'/></video><emulator>${qemu}</emulator>"
    )
    assert host_problems(domain(devices, dtype="${hv}", arch="${arch}", machine="${machine}"), qemu) == []
    assert host_problems(domain(os_type="${os}", arch="riscv64-${x}"), qemu) == []
    # A parameter in one place does not hide the rest: the arch is known, the machine is not.
    assert fields(host_problems(domain(disk("xen"), machine="${machine}"), qemu)) == []  # bus needs the machine
    assert fields(host_problems(domain("<graphics type='rdp'/>", machine="${m}"), qemu)) == ["Graphics.type"]
    assert fields(host_problems(domain(dtype="${hv}", arch="riscv64"), qemu)) == ["Boot.arch"]


def test_without_domain_capabilities_devices_and_firmware_are_not_judged():
    bare = offer(QEMU_CAPS, {"kvm x86_64": "", "qemu aarch64": ""})
    devices = disk("xen") + "<graphics type='rdp'/><video><model type='qxl'/></video>"
    assert host_problems(domain(devices, os_attrs=" firmware='efi'"), bare) == []
    assert bare.disk_buses("kvm", "x86_64") is None
    # What getCapabilities() says is still judged.
    assert fields(host_problems(domain(devices, machine="virt"), bare)) == ["Boot.machine"]


def test_empty_capabilities_judge_nothing():
    assert host_problems(domain(arch="riscv64"), offer("<capabilities><host/></capabilities>")) == []


def test_the_test_driver_takes_anything_so_its_problems_are_warnings(test_offer, test_driver):
    found = host_problems(domain(dtype="kvm", arch="i686"), test_offer)
    assert fields(found) == ["General.domain_type"] and found[0].level == "warning"
    # The test driver really does define it.
    test_driver.defineXML(etree.tostring(domain(dtype="kvm", arch="i686")).decode()).undefine()
    assert host_problems(domain(dtype="test", arch="i686", machine="anything"), test_offer) == []
    assert host_problems(domain(dtype="test", arch="i686", os_type="xen"), test_offer) == []


def test_every_field_named_is_declared(qemu, test_offer):
    bios = offer(QEMU_CAPS, {"qemu x86_64": QEMU_X86_BIOS})
    devices = (
        disk("xen", "floppy") + "<graphics type='rdp'/><video><model type='qxl'/></video><emulator>/opt/qemu</emulator>"
    )
    found = [
        *host_problems(domain(devices, dtype="qemu", arch="aarch64"), qemu),
        *host_problems(domain(dtype="qemu", arch="aarch64", machine="pc"), qemu),
        *host_problems(domain(devices, dtype="kvm", arch="aarch64"), qemu),
        *host_problems(domain(arch="riscv64"), qemu),
        *host_problems(domain(os_type="exe"), qemu),
        *host_problems(domain(dtype="qemu", os_attrs=" firmware='efi'"), bios),
        *host_problems(domain(dtype="kvm", arch="i686"), test_offer),
    ]
    named = {p.field for p in found if p.field}
    assert named == {
        "Video.model_type",
        "Boot.machine",
        "Emulator.emulator",
        "Disk.target_bus",
        "Disk.device",
        "Graphics.type",
        "General.domain_type",
        "Boot.arch",
        "Boot.os_type",
        "Boot.firmware",
    }
    classes = {cls.__name__: cls for cls in (*SECTIONS, *DEVICES.values())}
    for field in named:
        owner, name = field.split(".")
        assert name in classes[owner].fields, field


def test_problems_carry_the_source_line(qemu):
    root = etree.fromstring(
        "<domain type='kvm'>\n<name>g</name>\n<os>\n<type arch='x86_64' machine='nope'>hvm</type>\n</os>\n</domain>"
    )
    assert host_problems(root, qemu)[0].line == 4
