"""Every kind of message that names a declared field reaches that field's error box in the editor.

Validation (the schema's required fields, the semantic checks, converters, required device
fields), the chosen host's capabilities and its policy all name a field by its declaration's key
("Resources.memory", "CharDevice.target_port"); the editor shows the message in the box
err-<section>-<field> or err-slot<pk>-<field>. Each case imports a domain that triggers one
message and reads the editor page (or its live preview) as a browser gets it.
"""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree

from builder.domainxml import dependent
from builder.domainxml.element import Section
from builder.domainxml.elements import DEVICES, all_elements
from builder.domainxml.fields import Many
from builder.hosts import offer_checks
from builder.hosts.models import Host, HostCapabilities, HostPolicy
from builder.library import services
from tests.helpers import form_values

pytestmark = pytest.mark.django_db

X86_PC = "<type arch='x86_64' machine='pc'>hvm</type>"

# A small KVM host on x86_64: what it lacks is what the host cases ask for.
CAPS = """<capabilities><host><cpu><arch>x86_64</arch></cpu></host>
  <guest><os_type>hvm</os_type><arch name='x86_64'><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <machine>pc-i440fx-7.2</machine><machine canonical='pc-i440fx-7.2'>pc</machine>
    <machine>pc-q35-7.2</machine><machine canonical='pc-q35-7.2'>q35</machine><domain type='kvm'/></arch>
  </guest></capabilities>"""
KVM_PC = """<domainCapabilities><domain>kvm</domain><machine>pc-i440fx-7.2</machine><arch>x86_64</arch>
  <os supported='yes'><enum name='firmware'><value>bios</value></enum>
    <loader supported='yes'><enum name='type'><value>rom</value></enum></loader></os>
  <devices>
    <disk supported='yes'><enum name='diskDevice'><value>disk</value><value>cdrom</value></enum>
      <enum name='bus'><value>virtio</value><value>sata</value><value>ide</value></enum></disk>
    <graphics supported='yes'><enum name='type'><value>vnc</value></enum></graphics>
    <video supported='yes'><enum name='modelType'><value>virtio</value></enum></video>
  </devices></domainCapabilities>"""


def guest(devices: str = "", os: str = X86_PC, dtype: str = "kvm", head: str = "") -> str:
    """A domain around the parts a case needs (`head`: before <os>)."""
    return (
        f"<domain type='{dtype}'><name>placed</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>{head}"
        f"<os>{os}</os><devices>{devices}</devices></domain>"
    )


def disk(source: str = "<source file='/var/lib/libvirt/images/a.qcow2'/>", target="dev='vda' bus='virtio'", **attrs):
    kind, device = attrs.get("kind", "file"), attrs.get("device", "disk")
    return f"<disk type='{kind}' device='{device}'>{source}<target {target}/></disk>"


IDE_CDROM = "<disk type='file' device='cdrom'><target dev='hda' bus='ide'/></disk>"
SECURE = "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.secboot.fd</loader>"
SERIAL_PORT_1 = "<serial type='pty'><target port='1'/></serial>"

# (domain, field key, words of the message); "host": checked against the host with CAPS.
VALIDATION = {
    # libvirt's schema needs these and is not narrowed down to a part when they are missing.
    "required-name": (guest().replace("<name>placed</name>", ""), "General.name", "Name is required"),
    "required-domain-type": (guest().replace("<domain type='kvm'>", "<domain>"), "General.domain_type", "is required"),
    "converter-multicast-mac": (
        guest("<interface type='network'><mac address='01:00:5e:00:00:01'/><source network='default'/></interface>"),
        "Interface.mac",
        "multicast",
    ),
    "converter-reserved-tap-name": (
        guest("<interface type='network'><source network='default'/><target dev='vnet7'/></interface>"),
        "Interface.target_dev",
        "reserved",
    ),
    "current-memory-over-memory": (
        guest(head="<currentMemory unit='MiB'>1024</currentMemory>"),
        "Resources.current_memory",
        "current memory is larger",
    ),
    "boot-order-styles-mixed": (
        guest(disk().replace("</disk>", "<boot order='1'/></disk>"), os=X86_PC + "<boot dev='hd'/>"),
        "Boot.boot_devices",
        "cannot be combined",
    ),
    "bootloader-drops-boot-order": (
        guest(os=X86_PC + "<boot dev='hd'/>", head="<bootloader>/usr/bin/pygrub</bootloader>"),
        "Boot.boot_devices",
        "silently drops",
    ),
    "serial-ports-from-zero": (guest(SERIAL_PORT_1), "CharDevice.target_port", "count from 0"),
    "input-bus-for-xen-on-hvm": (guest("<input type='keyboard' bus='xen'/>"), "Input.bus", "only for Xen"),
    "ide-on-q35": (guest(IDE_CDROM, os="<type arch='x86_64' machine='q35'>hvm</type>"), "Disk.target_bus", "IDE"),
    "secure-boot-on-pc": (guest(os=X86_PC + SECURE), "Boot.machine", "Secure boot needs a q35"),
    "secure-boot-without-smm": (
        guest(os="<type arch='x86_64' machine='q35'>hvm</type>" + SECURE),
        "Features.smm",
        "SMM",
    ),
    "crb-tpm-on-pc": (
        guest("<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"),
        "Tpm.model",
        "CRB",
    ),
    "required-device-field": (guest(disk(source="")), "Disk.source_file", "is required here"),
}

HOST = {
    "host-os-type": (guest(os="<type arch='x86_64'>exe</type>"), "Boot.os_type", "cannot run 'exe' guests"),
    "host-arch": (guest(os="<type arch='aarch64'>hvm</type>"), "Boot.arch", "cannot run aarch64 guests"),
    "host-domain-type": (guest(dtype="qemu"), "General.domain_type", "no 'qemu' domains"),
    "host-machine": (guest(os="<type arch='x86_64' machine='virt'>hvm</type>"), "Boot.machine", "'virt'"),
    "host-emulator": (guest("<emulator>/opt/qemu</emulator>"), "Emulator.emulator", "no emulator /opt/qemu"),
    "host-disk-bus": (guest(disk(target="dev='sda' bus='usb'")), "Disk.target_bus", "no 'usb' disk bus"),
    "host-disk-device": (
        guest(disk(target="dev='fda' bus='sata'", device="floppy")),
        "Disk.device",
        "as 'floppy'",
    ),
    "host-graphics": (guest("<graphics type='spice'/>"), "Graphics.type", "no 'spice' graphics"),
    "host-video": (guest("<video><model type='qxl'/></video>"), "Video.model_type", "no 'qxl' video model"),
    "host-uefi": (guest().replace("<os>", "<os firmware='efi'>"), "Boot.firmware", "no UEFI firmware"),
    "host-pflash": (
        guest(os=X86_PC + "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"),
        "Boot.loader_type",
        "pflash",
    ),
}

POLICY = {
    "policy-disk-file": (guest(disk(source="<source file='/etc/shadow'/>")), "Disk.source_file", "reads a host file"),
    "policy-block-device": (
        guest(disk(source="<source dev='/dev/sda'/>", kind="block")),
        "Disk.source_dev",
        "uses a host device",
    ),
    "policy-kernel": (guest(os=X86_PC + "<kernel>/etc/shadow</kernel>"), "Boot.kernel", "reads a host file"),
    "policy-initrd": (guest(os=X86_PC + "<initrd>/root/initrd.img</initrd>"), "Boot.initrd", "reads a host file"),
    "policy-loader": (
        guest(os=X86_PC + "<loader readonly='yes' type='rom'>/root/fw.bin</loader>"),
        "Boot.loader",
        "reads a host file",
    ),
    "policy-nvram": (guest(os=X86_PC + "<nvram>/root/VARS.fd</nvram>"), "Boot.nvram", "reads a host file"),
    "policy-bootloader": (
        guest(head="<bootloader>/usr/bin/pygrub</bootloader>"),
        "Boot.bootloader",
        "runs a program on the host",
    ),
    "policy-emulator": (guest("<emulator>/bin/sh</emulator>"), "Emulator.emulator", "runs a program on the host"),
    "policy-shared-directory": (
        guest("<filesystem type='mount'><source dir='/'/><target dir='r'/></filesystem>"),
        "Filesystem.source_dir",
        "reads a host file",
    ),
    "policy-virtiofsd": (
        guest(
            "<filesystem type='mount'><driver type='virtiofs'/><binary path='/opt/virtiofsd'/>"
            "<source dir='/var/lib/libvirt/images'/><target dir='r'/></filesystem>"
        ),
        "Filesystem.binary_path",
        "runs a program on the host",
    ),
    "policy-hostdev": (
        guest(
            "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' "
            "slot='0x00' function='0x0'/></source></hostdev>"
        ),
        "Hostdev.type",
        "uses a host device",
    ),
    "policy-direct-interface": (
        guest("<interface type='direct'><source dev='eth0' mode='bridge'/></interface>"),
        "Interface.type",
        "uses the host's network devices directly",
    ),
    "policy-interface-script": (
        guest("<interface type='ethernet'><script path='/root/up.sh'/></interface>"),
        "Interface.script",
        "the script /root/up.sh",
    ),
    "policy-serial-file": (
        guest("<serial type='file'><source path='/etc/cron.d/x'/><target port='0'/></serial>"),
        "CharDevice.type",
        "writes a host file",
    ),
    "policy-vcpu-limit": (guest().replace("<vcpu>1</vcpu>", "<vcpu>8</vcpu>"), "Resources.vcpu", "at most 2 vCPUs"),
    "policy-memory-limit": (guest(), "Resources.memory", "at most 256 MiB"),
}

FIELDS = {f.key: f for cls in all_elements() for f in cls.fields.values()}


@pytest.fixture
def host():
    made = Host.objects.create(name="sim", uri="test:///default")
    HostCapabilities.objects.create(host=made, capabilities=CAPS, domain_capabilities={"kvm x86_64": KVM_PC})
    HostPolicy.objects.create(host=made, max_vcpus=2, max_memory_mib=256)
    return made


def box_id(template, key: str, xml: str) -> str:
    """err-<section>-<field> for a section's field, err-slot<pk>-<field> for the first device that has it."""
    f = FIELDS[key]
    name = f"{f.name}_1" if isinstance(f, Many) else f.name  # a list's messages go to its first box
    if issubclass(f.owner, Section):
        return f"err-{f.owner.__name__.lower()}-{name}"
    for slot in template.slots.order_by("position"):
        cls = DEVICES.get(etree.fromstring(slot.xml).tag)
        if cls is not None and key in {g.key for g in cls.fields.values()}:
            return f"err-slot{slot.pk}-{name}"
    raise AssertionError(f"no device in {xml} has {key}")


def page(client, template, host=None):
    query = {"check_host": host.pk} if host is not None else {}
    response = client.get(f"/templates/{template.pk}/", query)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def box_text(doc, element_id: str) -> str:
    element = doc.get_element_by_id(element_id, None)
    assert element is not None, f"the page has no {element_id}"
    return " ".join(element.text_content().split())


def assert_placed(client, case, host=None):
    xml, key, words = case
    template = services.import_domain(xml.encode()).template
    where = box_id(template, key, xml)
    doc = page(client, template, host)
    said = [" ".join(p.text_content().split()) for p in doc.xpath("//li[@class]") if "problem" in p.get("class")]
    assert words in box_text(doc, where), (where, said)
    # The live preview places it at the same box, swapped in out of band.
    data = form_values(doc.get_element_by_id("editor-form"))
    preview = lxml.html.fromstring(client.post(f"/templates/{template.pk}/preview/", data).content.decode())
    swapped = [el for el in preview.xpath("//div[@id=$id]", id=where) if el.get("hx-swap-oob") == "innerHTML"]
    assert swapped and words in " ".join(swapped[0].text_content().split()), where


@pytest.mark.parametrize("case", VALIDATION.values(), ids=VALIDATION)
def test_validation_messages_reach_their_field(client, case):
    assert_placed(client, case)


@pytest.mark.parametrize("case", HOST.values(), ids=HOST)
def test_what_the_host_cannot_run_reaches_its_field(client, host, case):
    assert_placed(client, case, host)


@pytest.mark.parametrize("case", POLICY.values(), ids=POLICY)
def test_what_the_hosts_policy_refuses_reaches_its_field(client, host, case):
    assert_placed(client, case, host)


def test_without_a_host_the_policys_warnings_reach_their_field(client):
    xml, key, _ = POLICY["policy-emulator"]
    assert_placed(client, (xml, key, "the emulator /bin/sh"))


def _named_by(module) -> set[str]:
    """The field keys a module keeps as constants (each from its declaration)."""
    return {v for v in vars(module).values() if isinstance(v, str) and v in FIELDS}


def test_the_cases_cover_every_field_the_host_checks_and_machine_rules_name():
    named = {key for _, key, _ in [*VALIDATION.values(), *HOST.values()]}
    assert _named_by(offer_checks) <= named
    # Secure boot turned off is only ever a note of a change (dependent.rederive), not a problem.
    assert _named_by(dependent) - {dependent.SECURE_BOOT} <= named
