"""What a host offers, from libvirt's capabilities, and the parts of a domain it cannot run.

The test driver gives real getCapabilities() output (it has no domain capabilities). The QEMU
and Xen documents below are small ones written for these tests in the shape libvirt 9 writes.
"""

import libvirt
import pytest
from lxml import etree

from builder.domainxml.elements import DEVICES, SECTIONS
from builder.hosts import remote
from builder.hosts.host_choices import choices
from builder.hosts.host_offer import offer
from builder.hosts.offer_checks import host_problems

QEMU_CAPS = """<capabilities>
  <host>
    <uuid>0b9c1f3e-5d2a-4c62-9a0e-3f1d2c4b5a69</uuid>
    <cpu><arch>x86_64</arch><model>Skylake-Client-IBRS</model><vendor>Intel</vendor></cpu>
    <migration_features><live/></migration_features>
  </host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-x86_64</emulator>
      <machine maxCpus='255'>pc-i440fx-7.2</machine>
      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>
      <machine maxCpus='255'>pc-i440fx-6.2</machine>
      <machine maxCpus='288'>pc-q35-7.2</machine>
      <machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>
      <machine maxCpus='1'>isapc</machine>
      <domain type='qemu'/>
      <domain type='kvm'/>
    </arch>
    <features><acpi default='on' toggle='yes'/><apic default='on' toggle='no'/></features>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='aarch64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-aarch64</emulator>
      <machine maxCpus='512'>virt-7.2</machine>
      <machine canonical='virt-7.2' maxCpus='512'>virt</machine>
      <domain type='qemu'/>
    </arch>
  </guest>
</capabilities>"""

# Domain capabilities for the default machine (pc) and for q35, which has no IDE.
KVM_PC = """<domainCapabilities>
  <path>/usr/bin/qemu-system-x86_64</path>
  <domain>kvm</domain>
  <machine>pc-i440fx-7.2</machine>
  <arch>x86_64</arch>
  <vcpu max='255'/>
  <os supported='yes'>
    <enum name='firmware'><value>bios</value><value>efi</value></enum>
    <loader supported='yes'>
      <value>/usr/share/OVMF/OVMF_CODE_4M.fd</value>
      <enum name='type'><value>rom</value><value>pflash</value></enum>
      <enum name='secure'><value>no</value></enum>
    </loader>
  </os>
  <cpu>
    <mode name='host-passthrough' supported='yes'/>
    <mode name='maximum' supported='yes'/>
    <mode name='host-model' supported='yes'><model fallback='forbid'>Skylake-Client-IBRS</model></mode>
    <mode name='custom' supported='no'/>
  </cpu>
  <devices>
    <disk supported='yes'>
      <enum name='diskDevice'><value>disk</value><value>cdrom</value><value>floppy</value><value>lun</value></enum>
      <enum name='bus'><value>ide</value><value>fdc</value><value>scsi</value><value>virtio</value>
        <value>usb</value><value>sata</value></enum>
      <enum name='model'><value>virtio</value></enum>
    </disk>
    <graphics supported='yes'>
      <enum name='type'><value>sdl</value><value>vnc</value><value>spice</value><value>egl-headless</value></enum>
    </graphics>
    <video supported='yes'>
      <enum name='modelType'><value>vga</value><value>cirrus</value><value>virtio</value><value>none</value>
        <value>bochs</value><value>ramfb</value></enum>
    </video>
    <hostdev supported='yes'>
      <enum name='mode'><value>subsystem</value></enum>
      <enum name='subsysType'><value>usb</value><value>pci</value><value>scsi</value></enum>
    </hostdev>
    <tpm supported='yes'>
      <enum name='model'><value>tpm-tis</value><value>tpm-crb</value></enum>
      <enum name='backendModel'><value>passthrough</value><value>emulator</value></enum>
    </tpm>
  </devices>
  <features>
    <gic supported='no'/>
    <vmcoreinfo supported='yes'/>
    <genid supported='yes'/>
    <sev supported='no'/>
  </features>
</domainCapabilities>"""

KVM_Q35 = KVM_PC.replace("pc-i440fx-7.2", "pc-q35-7.2").replace("<value>ide</value>", "")

# TCG on aarch64: UEFI only, no IDE, no cirrus.
QEMU_AARCH64 = """<domainCapabilities>
  <path>/usr/bin/qemu-system-aarch64</path>
  <domain>qemu</domain>
  <machine>virt-7.2</machine>
  <arch>aarch64</arch>
  <os supported='yes'>
    <enum name='firmware'><value>efi</value></enum>
    <loader supported='yes'><enum name='type'><value>pflash</value></enum></loader>
  </os>
  <devices>
    <disk supported='yes'>
      <enum name='diskDevice'><value>disk</value><value>cdrom</value></enum>
      <enum name='bus'><value>scsi</value><value>virtio</value><value>usb</value></enum>
    </disk>
    <graphics supported='yes'><enum name='type'><value>vnc</value></enum></graphics>
    <video supported='yes'><enum name='modelType'><value>virtio</value><value>ramfb</value></enum></video>
  </devices>
</domainCapabilities>"""

# A BIOS-only host: no firmware to satisfy firmware='efi', pflash not loadable.
QEMU_X86_BIOS = """<domainCapabilities>
  <domain>qemu</domain><machine>pc-i440fx-7.2</machine><arch>x86_64</arch>
  <os supported='yes'>
    <enum name='firmware'><value>bios</value></enum>
    <loader supported='yes'><enum name='type'><value>rom</value></enum></loader>
  </os>
</domainCapabilities>"""

XEN_CAPS = """<capabilities>
  <host><cpu><arch>x86_64</arch></cpu></host>
  <guest>
    <os_type>xen</os_type>
    <arch name='x86_64'><wordsize>64</wordsize><emulator>/usr/lib/xen/bin/qemu-system-i386</emulator>
      <machine>xenpv</machine><domain type='xen'/></arch>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'><wordsize>64</wordsize><emulator>/usr/lib/xen/bin/qemu-system-i386</emulator>
      <machine>xenfv</machine><domain type='xen'/></arch>
  </guest>
</capabilities>"""


@pytest.fixture(scope="module")
def qemu():
    return offer(QEMU_CAPS, {"kvm x86_64": KVM_PC, "qemu x86_64": "", "qemu aarch64": QEMU_AARCH64})


@pytest.fixture(scope="module")
def test_offer():
    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open("test:///default")
    try:
        return offer(conn.getCapabilities(), {})
    finally:
        conn.close()


def domain(devices="", dtype="kvm", arch="x86_64", machine="", os_type="hvm", os_extra="", os_attrs=""):
    attrs = (f" arch='{arch}'" if arch else "") + (f" machine='{machine}'" if machine else "")
    return etree.fromstring(
        f"<domain type='{dtype}'><name>g</name><memory unit='MiB'>256</memory>"
        f"<os{os_attrs}><type{attrs}>{os_type}</type>{os_extra}</os><devices>{devices}</devices></domain>"
    )


def disk(bus, device="disk", dev="vda"):
    return f"<disk type='file' device='{device}'><source file='/i.img'/><target dev='{dev}' bus='{bus}'/></disk>"


def fields(problems):
    return [p.field for p in problems]


# -- parsing ---------------------------------------------------------------------------------


def test_it_reads_the_test_drivers_capabilities(test_offer):
    assert test_offer.host_arch == "i686"
    assert test_offer.os_types() == ["hvm", "xen"]
    assert test_offer.arches() == ["i686"]
    assert test_offer.domain_types() == ["test"]
    assert test_offer.domain_types("x86_64") == []
    assert test_offer.emulators("i686") == ["/usr/bin/test-hv"]
    assert test_offer.machines("i686") == []
    assert test_offer.disk_buses("test", "i686") is None  # no domain capabilities: unknown, not none


def test_it_reads_what_op_capabilities_returns_on_the_test_driver():
    answer = remote.run_here("test:///default", "capabilities", {})
    assert answer["ok"]
    got = offer(answer["value"]["capabilities"], answer["value"]["domain"])
    assert got.arches() == ["i686"]
    assert got.domain_caps == ()  # the test driver has no getDomainCapabilities


def test_it_reads_arches_domain_types_and_emulators(qemu):
    assert qemu.host_arch == "x86_64"
    assert qemu.arches() == ["x86_64", "aarch64"]
    assert qemu.domain_types() == ["qemu", "kvm"]
    assert qemu.domain_types("aarch64") == ["qemu"]
    assert qemu.arches(domain_type="kvm") == ["x86_64"]
    assert qemu.emulators("x86_64", "kvm") == ["/usr/bin/qemu-system-x86_64"]
    assert qemu.emulators("aarch64") == ["/usr/bin/qemu-system-aarch64"]
    assert qemu.emulators("aarch64", "kvm") == []


def test_machines_include_canonical_names_and_aliases(qemu):
    machines = qemu.machines("x86_64")
    assert {"pc", "q35", "pc-q35-7.2", "pc-i440fx-7.2", "isapc"} <= set(machines)
    assert qemu.machines("aarch64") == ["virt-7.2", "virt"]
    assert qemu.canonical("x86_64", "q35") == "pc-q35-7.2"
    assert qemu.canonical("x86_64", "pc-q35-7.2") == "pc-q35-7.2"
    assert qemu.machines("aarch64", "kvm") == []


def test_a_domain_type_with_its_own_emulator_and_machines_uses_those():
    caps = QEMU_CAPS.replace(
        "<domain type='kvm'/>",
        "<domain type='kvm'><emulator>/usr/libexec/qemu-kvm</emulator><machine>rhel9.2.0</machine></domain>",
    )
    got = offer(caps)
    assert got.emulators("x86_64", "kvm") == ["/usr/libexec/qemu-kvm"]
    assert got.machines("x86_64", "kvm") == ["rhel9.2.0"]
    assert "pc" in got.machines("x86_64", "qemu")
    assert set(got.emulators("x86_64")) == {"/usr/bin/qemu-system-x86_64", "/usr/libexec/qemu-kvm"}


def test_it_reads_domain_capabilities(qemu):
    kvm = qemu.caps("kvm", "x86_64")
    assert kvm.machine == "pc-i440fx-7.2" and kvm.path == "/usr/bin/qemu-system-x86_64"
    assert kvm.disk_buses == ("ide", "fdc", "scsi", "virtio", "usb", "sata")
    assert kvm.disk_devices == ("disk", "cdrom", "floppy", "lun")
    assert kvm.video_models == ("vga", "cirrus", "virtio", "none", "bochs", "ramfb")
    assert kvm.graphics_types == ("sdl", "vnc", "spice", "egl-headless")
    assert kvm.hostdev_modes == ("subsystem",) and kvm.hostdev_subsys_types == ("usb", "pci", "scsi")
    assert kvm.os_supported is True and kvm.firmware == ("bios", "efi")
    assert kvm.loaders == ("/usr/share/OVMF/OVMF_CODE_4M.fd",) and kvm.loader_types == ("rom", "pflash")
    assert kvm.tpm_models == ("tpm-tis", "tpm-crb") and kvm.tpm_backends == ("passthrough", "emulator")
    assert kvm.cpu_modes == ("host-passthrough", "maximum", "host-model")
    assert kvm.features == ("vmcoreinfo", "genid")
    assert qemu.disk_buses("kvm", "x86_64") == list(kvm.disk_buses)
    assert qemu.disk_buses("qemu", "x86_64") is None  # fetched, but the driver had none
    aarch64 = qemu.caps("qemu", "aarch64")
    assert aarch64.tpm_models is None and aarch64.cpu_modes is None  # not said: unknown


def test_an_unsupported_device_offers_none_and_a_missing_one_is_unknown():
    got = offer(QEMU_CAPS, {"kvm x86_64": KVM_PC.replace("<video supported='yes'>", "<video supported='no'>")})
    assert got.caps("kvm", "x86_64").video_models == ()
    assert got.caps("kvm", "x86_64").tpm_models is not None
    assert offer(QEMU_CAPS, {"kvm x86_64": "<domainCapabilities/>"}).caps("kvm", "x86_64").video_models is None


def test_disk_buses_are_only_known_for_the_machine_they_were_asked_for():
    got = offer(QEMU_CAPS, {"kvm x86_64": KVM_PC})
    assert "ide" in got.disk_buses("kvm", "x86_64", "pc")  # the alias of the caps' machine
    assert got.disk_buses("kvm", "x86_64", "q35") is None
    both = offer(QEMU_CAPS, {"kvm x86_64 pc-i440fx-7.2": KVM_PC, "kvm x86_64 pc-q35-7.2": KVM_Q35})
    assert "ide" not in both.disk_buses("kvm", "x86_64", "q35")
    assert "ide" in both.disk_buses("kvm", "x86_64", "pc-i440fx-7.2")


def test_it_resolves_no_entities_and_fetches_nothing(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("/leaked")
    caps = QEMU_CAPS.replace(
        "<capabilities>", f"<!DOCTYPE capabilities [<!ENTITY e SYSTEM 'file://{secret}'>]><capabilities>"
    ).replace("<emulator>/usr/bin/qemu-system-aarch64</emulator>", "<emulator>&e;</emulator>")
    got = offer(caps)
    assert "/leaked" not in got.emulators("aarch64")


def test_a_broken_domain_capabilities_document_counts_as_none():
    got = offer(QEMU_CAPS, {"kvm x86_64": "<domainCapabilities><oops"})
    assert got.disk_buses("kvm", "x86_64") is None


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
