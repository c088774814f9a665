"""A host's policy: what reaches outside the guest is refused at push unless the policy allows it,
shown at its field in the editor once the host is chosen, and warned about on import anyway.

Pushes go to libvirt's test driver, which accepts every one of these documents: whatever is
refused here is refused by the builder, before anything is sent.
"""

from __future__ import annotations

import contextlib
import uuid

import libvirt
import lxml.html
import pytest

from builder.hosts import client as host_client
from builder.hosts import push as pushing
from builder.hosts.models import Deployment, Host, HostPolicy
from builder.library import services
from tests.helpers import form_values

pytestmark = pytest.mark.django_db

QEMU_NS = " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"


def guest(name: str, devices: str = "", os_extra: str = "", tail: str = "", ns: str = "", vcpu: int = 1) -> str:
    return (
        f"<domain type='test'{ns}><name>{name}</name><memory unit='MiB'>128</memory><vcpu>{vcpu}</vcpu>"
        f"<os><type>hvm</type>{os_extra}</os><devices>{devices}</devices>{tail}</domain>"
    )


def disk(path: str, dev: str = "vda") -> str:
    return f"<disk type='file' device='disk'><source file='{path}'/><target dev='{dev}' bus='virtio'/></disk>"


# Each: what the document holds, the field the refusal names (its label on the form), words of the message.
FORBIDDEN = {
    "qemu-commandline": (
        {"ns": QEMU_NS, "tail": "<qemu:commandline><qemu:arg value='-monitor'/></qemu:commandline>"},
        None,
        "runs commands on the host",
    ),
    "disk-etc-shadow": ({"devices": disk("/etc/shadow")}, "Image file", "reads a host file"),
    "disk-path-climbing-out-of-a-pool": (
        {"devices": disk("/default-pool/../etc/shadow")},
        "Image file",
        "reads a host file",
    ),
    "block-device": (
        {"devices": "<disk type='block' device='disk'><source dev='/dev/sda'/><target dev='vda' bus='virtio'/></disk>"},
        "Host device",
        "uses a host device",
    ),
    "pci-hostdev": (
        {
            "devices": "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' "
            "bus='0x01' slot='0x00' function='0x0'/></source></hostdev>"
        },
        "Device type",
        "uses a host device",
    ),
    "kernel-etc-shadow": ({"os_extra": "<kernel>/etc/shadow</kernel>"}, "Kernel", "reads a host file"),
    "initrd-private-key": (
        {"os_extra": "<initrd>/root/.ssh/id_ed25519</initrd>"},
        "Initial ramdisk",
        "reads a host file",
    ),
    "loader-outside": (
        {"os_extra": "<loader readonly='yes'>/root/fw.bin</loader>"},
        "Firmware loader",
        "reads a host file",
    ),
    "filesystem-root": (
        {"devices": "<filesystem type='mount'><source dir='/'/><target dir='r'/></filesystem>"},
        "Host directory",
        "reads a host file",
    ),
    "interface-direct": (
        {"devices": "<interface type='direct'><source dev='eth0' mode='bridge'/></interface>"},
        "Connection",
        "uses the host's network devices directly",
    ),
    "interface-hostdev": (
        {
            "devices": "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' "
            "bus='0x02' slot='0x07' function='0x0'/></source></interface>"
        },
        "Connection",
        "uses the host's network devices directly",
    ),
    "serial-on-a-host-file": (
        {"devices": "<serial type='file'><source path='/etc/cron.d/x'/><target port='0'/></serial>"},
        "Connected to",
        "writes a host file",
    ),
    "serial-on-a-host-device": (
        {"devices": "<serial type='dev'><source path='/dev/ttyS0'/><target port='0'/></serial>"},
        "Connected to",
        "uses a host device",
    ),
    "emulator-not-the-hosts": ({"devices": "<emulator>/bin/sh</emulator>"}, "Emulator", "runs a program on the host"),
    "security-label-off": ({"tail": "<seclabel type='none'/>"}, None, "confines the guest"),
}


@pytest.fixture
def host(test_driver):
    made = Host.objects.create(name="shared", uri="test:///default")
    yield made
    for d in Deployment.objects.filter(host=made, ok=True):
        with contextlib.suppress(libvirt.libvirtError):  # undefined by the test itself
            test_driver.lookupByUUIDString(d.domain_uuid).undefine()


def name() -> str:
    return f"dbtest-policy-{uuid.uuid4().hex[:8]}"


def on_host(test_driver, domain: str) -> bool:
    try:
        test_driver.lookupByName(domain)
    except libvirt.libvirtError:
        return False
    return True


def push_xml(client, host, xml: str) -> Deployment:
    template = services.import_domain(xml.encode()).template
    client.post(f"/templates/{template.pk}/push/", {"host": host.pk, "define": "1"})
    return Deployment.objects.filter(template=template).get()


@pytest.mark.parametrize("case", FORBIDDEN, ids=list(FORBIDDEN))
def test_each_forbidden_element_is_refused_at_push_with_its_field_named(client, host, test_driver, case):
    parts, field, words = FORBIDDEN[case]
    domain = name()
    d = push_xml(client, host, guest(domain, **parts))
    assert not d.ok and words in d.error and "nothing was sent" in d.error, d.error
    if field:
        assert f"({field}): {words}" in d.error, d.error  # the form's name for the field, then the reason
    assert not on_host(test_driver, domain)


@pytest.mark.parametrize("case", FORBIDDEN, ids=list(FORBIDDEN))
def test_a_trusted_host_allows_each_of_them(client, host, test_driver, case):
    HostPolicy.objects.create(host=host, trusted=True)
    domain = name()
    d = push_xml(client, host, guest(domain, **FORBIDDEN[case][0]))
    assert d.ok, d.error
    assert on_host(test_driver, domain)


SWITCHED = [
    ("block-device", "allow_block_devices"),
    ("pci-hostdev", "allow_host_devices"),
    ("interface-direct", "allow_direct_network"),
    ("serial-on-a-host-device", "allow_host_chardevs"),
    ("qemu-commandline", "allow_passthrough"),
    ("emulator-not-the-hosts", "allow_passthrough"),
]


@pytest.mark.parametrize(("case", "switch"), SWITCHED, ids=[c for c, _ in SWITCHED])
def test_each_switch_allows_its_own_kind_and_nothing_else(client, host, test_driver, case, switch):
    HostPolicy.objects.create(host=host, **{switch: True})
    assert push_xml(client, host, guest(name(), **FORBIDDEN[case][0])).ok
    other = "disk-etc-shadow"
    assert not push_xml(client, host, guest(name(), **FORBIDDEN[other][0])).ok


def test_a_disk_in_a_pool_is_allowed_and_one_outside_is_refused(client, host, test_driver):
    inside = push_xml(client, host, guest(name(), devices=disk("/default-pool/web.qcow2")))
    assert inside.ok, inside.error
    outside = push_xml(client, host, guest(name(), devices=disk("/srv/images/web.qcow2")))
    assert not outside.ok and "/default-pool" in outside.error  # says where disks may be
    volume = "<disk type='volume' device='disk'><source pool='default-pool' volume='a.img'/><target dev='vda'/></disk>"
    assert push_xml(client, host, guest(name(), devices=volume)).ok
    elsewhere = volume.replace("default-pool", "nosuchpool")
    assert not push_xml(client, host, guest(name(), devices=elsewhere)).ok


def test_directories_the_policy_lists_are_allowed_and_a_shared_one_needs_its_switch(client, host, test_driver):
    policy = HostPolicy.objects.create(host=host, allowed_paths="/srv/images\n/srv/share")
    assert push_xml(client, host, guest(name(), devices=disk("/srv/images/web.qcow2"))).ok
    assert not push_xml(client, host, guest(name(), devices=disk("/srv/images-other/web.qcow2"))).ok
    share = "<filesystem type='mount'><source dir='/srv/share/docs'/><target dir='docs'/></filesystem>"
    assert not push_xml(client, host, guest(name(), devices=share)).ok
    policy.allow_filesystem_passthrough = True
    policy.save()
    assert push_xml(client, host, guest(name(), devices=share)).ok
    root = share.replace("/srv/share/docs", "/")
    assert not push_xml(client, host, guest(name(), devices=root)).ok  # the switch does not open every path


def test_limits_on_vcpus_memory_and_guests_per_team(client, host, test_driver, django_user_model):
    from builder.library.models import Membership, Team

    HostPolicy.objects.create(host=host, max_vcpus=2, max_memory_mib=256, max_guests_per_team=2)
    assert "at most 2 vCPUs" in push_xml(client, host, guest(name(), vcpu=4)).error
    big = guest(name()).replace("<memory unit='MiB'>128</memory>", "<memory unit='GiB'>1</memory>")
    assert "at most 256 MiB" in push_xml(client, host, big).error
    ops = Team.objects.create(name="ops")
    pusher = django_user_model.objects.create_user("pusher")
    Membership.objects.create(team=ops, user=pusher, role="editor")
    host.teams.add(ops)
    made = []
    for _ in range(3):
        pinned = guest(name()).replace("</name>", f"</name><uuid>{uuid.uuid4()}</uuid>")  # redefined in place
        template = services.import_domain(pinned.encode(), owner=pusher).template
        template.team, template.visibility = ops, "team"
        template.save()
        made.append(pushing.push(template, host, pusher))
    assert [d.ok for d in made] == [True, True, False]
    assert "ops already has 2 guests" in made[2].error
    again = pushing.push(made[0].template, host, pusher)  # redefining one of them adds none
    assert again.ok and again.domain_uuid == made[0].domain_uuid, again.error


def test_the_editor_shows_the_policys_errors_at_the_field_for_the_chosen_host(client, host):
    template = services.import_domain(guest(name(), devices=disk("/etc/shadow"), os_extra="").encode()).template
    slot = template.slots.get()
    page = lxml.html.fromstring(client.get(f"/templates/{template.pk}/", {"check_host": host.pk}).content)
    at_field = page.get_element_by_id(f"err-slot{slot.pk}-source_file").text_content()
    assert "shared's policy refuses this" in at_field and "reads a host file" in at_field
    # The live preview says the same, before any push.
    data = form_values(page.get_element_by_id("editor-form"))
    preview = client.post(f"/templates/{template.pk}/preview/", data).content.decode()
    assert "shared&#x27;s policy refuses this" in preview or "shared's policy refuses this" in preview
    # The push page too.
    push_page = client.get(f"/templates/{template.pk}/push/", {"host": host.pk}).content.decode()
    assert "refuses this; a push would send nothing" in push_page and "/etc/shadow" in push_page
    # Without a host chosen, it is a warning.
    client.get(f"/templates/{template.pk}/", {"check_host": ""})
    page = lxml.html.fromstring(client.get(f"/templates/{template.pk}/").content)
    at_field = page.get_element_by_id(f"err-slot{slot.pk}-source_file").text_content()
    assert "reads a host file: the file /etc/shadow" in at_field and "refuses" not in at_field


def test_import_warns_whatever_the_host(client):
    xml = guest(name(), ns=QEMU_NS, tail="<qemu:commandline><qemu:arg value='-x'/></qemu:commandline>")
    page = client.post("/import/", {"pasted": xml}, follow=True).content.decode()
    assert "runs commands on the host" in page
    imported = services.import_domain(guest(name(), devices=disk("/etc/shadow")).encode())
    assert any("reads a host file: the file /etc/shadow" in w for w in imported.warnings)
    ordinary = services.import_domain(guest(name(), devices=disk("/var/lib/libvirt/images/a.qcow2")).encode())
    assert not any("host file" in w for w in ordinary.warnings)  # where images are kept: no noise


def test_a_refused_push_defines_nothing_and_calls_no_define(client, host, test_driver):
    before = {d.name() for d in test_driver.listAllDomains()}
    d = push_xml(client, host, guest(name(), devices=disk("/etc/passwd")))
    assert not d.ok and d.returned_xml == ""
    assert {x.name() for x in test_driver.listAllDomains()} == before
    assert host_client.call(host, "pools") == {"default-pool": "/default-pool"}


def test_the_command_is_held_to_the_policy_and_to_ownership_too(host, test_driver):
    from tests.helpers import run_command

    risky = services.import_domain(guest(name(), devices=disk("/etc/shadow")).encode()).template
    _, err, code = run_command("push_template", str(risky.pk), "--host", host.name)
    assert code == 1 and "refused by the policy of shared" in err and "(Image file)" in err
    foreign = services.import_domain(guest("test").encode()).template  # the test driver's own guest
    _, err, code = run_command("push_template", str(foreign.pk), "--host", host.name)
    assert code == 1 and "not made by a push you may manage" in err
    pinned = guest(name()).replace("</name>", f"</name><uuid>{uuid.uuid4()}</uuid>")
    mine = services.import_domain(pinned.encode()).template
    assert run_command("push_template", str(mine.pk), "--host", host.name)[2] == 0
    assert run_command("push_template", str(mine.pk), "--host", host.name)[2] == 0  # its own: redefined
