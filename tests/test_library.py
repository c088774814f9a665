"""The library models: profiles, templates, slots that follow or leave their profile."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from lxml import etree

from builder.domainxml.assemble import to_string
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate
from builder.library.rendering import render, render_instance
from builder.library.services import check

pytestmark = pytest.mark.django_db

TEMPLATE = (
    "<domain type='qemu'>\n  <name>lib1</name>\n  <memory unit='MiB'>256</memory>\n"
    "  <os>\n    <type arch='i686'>hvm</type>\n  </os>\n  <devices>\n  </devices>\n</domain>"
)
DISK = "<disk type='file'><source file='/var/lib/images/a.img'/><target dev='vda' bus='virtio'/></disk>"
NIC = "<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>"


def make_template(*slots) -> DomainTemplate:
    template = DomainTemplate.objects.create(name="lib1", xml=TEMPLATE)
    for i, slot in enumerate(slots):
        if isinstance(slot, DeviceProfile):
            DeviceSlot.objects.create(template=template, position=i, profile=slot)
        else:
            DeviceSlot.objects.create(template=template, position=i, xml=slot)
    return template


def test_it_derives_the_listing_columns_from_the_xml():
    profile = DeviceProfile.objects.create(name="disk", xml=DISK)
    assert (profile.kind, profile.summary) == ("disk", "disk vda (virtio) /var/lib/images/a.img")
    template = make_template()
    assert (template.domain_type, template.vcpus, template.memory_kib) == ("qemu", None, 256 * 1024)


def test_it_refuses_a_profile_that_is_not_the_device_it_claims():
    with pytest.raises(ValidationError):
        DeviceProfile(name="x", kind="interface", xml=DISK).full_clean()
    with pytest.raises(ValidationError):
        DeviceProfile(name="x", kind="disk", xml="<emulator>/usr/bin/qemu</emulator>").full_clean()
    with pytest.raises(ValidationError):
        DeviceProfile(name="x", kind="disk", xml="<disk").full_clean()


def test_it_assembles_slots_in_order_and_the_result_defines(define):
    profile = DeviceProfile.objects.create(name="disk", xml=DISK)
    template = make_template(NIC, profile)
    root = render(template)
    assert [d.tag for d in root.find("devices")] == ["interface", "disk"]
    assert not [p for p in check(root) if p.level == "error"]
    assert define(to_string(root))


def test_it_lets_linked_slots_follow_their_profile_until_detached():
    profile = DeviceProfile.objects.create(name="disk", xml=DISK)
    template = make_template(profile)
    profile.xml = DISK.replace("a.img", "b.img")
    profile.save()
    assert render(template).find("devices/disk/source").get("file") == "/var/lib/images/b.img"

    slot = template.slots.get()
    slot.detach()
    profile.xml = DISK.replace("a.img", "c.img")
    profile.save()
    slot.refresh_from_db()
    assert slot.profile is None
    assert render(template).find("devices/disk/source").get("file") == "/var/lib/images/b.img"


def test_it_keeps_a_profile_that_slots_use():
    from django.db.models import ProtectedError

    profile = DeviceProfile.objects.create(name="disk", xml=DISK)
    make_template(profile)
    with pytest.raises(ProtectedError):
        profile.delete()


def test_it_loads_a_starter_library_that_libvirt_accepts(define):
    call_command("load_starter", stdout=StringIO())
    assert DeviceProfile.objects.count() >= 6
    for template in DomainTemplate.objects.all():
        root = render_instance(template, {}).root  # with its parameters' defaults
        assert not [p for p in check(root) if p.level == "error"], template.name
        assert define(to_string(root))
    for profile in DeviceProfile.objects.all():
        template = make_template(profile)
        root = render(template)
        assert not [p for p in check(root) if p.level == "error"], profile.name
        template.delete()


def test_it_registers_the_models_in_the_admin(client):
    User.objects.create_superuser("admin", "admin@example.com", "a-long-password-1")
    client.login(username="admin", password="a-long-password-1")
    template = make_template(NIC)
    for url in ("/admin/library/domaintemplate/", f"/admin/library/domaintemplate/{template.pk}/change/",
                "/admin/library/deviceprofile/"):  # fmt: skip
        assert client.get(url).status_code == 200, url


def test_it_splits_nothing_when_a_template_has_no_devices():
    root = render(make_template())
    assert etree.tostring(root.find("devices")).strip() in (b"<devices>\n  </devices>", b"<devices/>")


def test_it_refuses_broken_template_xml_in_the_admin(client):
    User.objects.create_superuser("admin", "admin@example.com", "a-long-password-1")
    client.login(username="admin", password="a-long-password-1")
    for xml in ("<domain><name>x</name", "<network/>"):
        response = client.post(
            "/admin/library/domaintemplate/add/",
            {"name": "t", "xml": xml, "slots-TOTAL_FORMS": "0", "slots-INITIAL_FORMS": "0"},
        )
        assert response.status_code == 200 and "errornote" in response.content.decode(), xml
    assert not DomainTemplate.objects.exists()
