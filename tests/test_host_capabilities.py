"""What a host offers, read from libvirt's capabilities and domain capabilities.

The test driver gives real getCapabilities() output (it has no domain capabilities); the QEMU
and Xen documents (tests/capabilities_support.py) are written in the shape libvirt 9 writes.
"""

from builder.hosts import remote
from builder.hosts.host_offer import offer
from tests.capabilities_support import KVM_PC, KVM_Q35, QEMU_CAPS

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
