"""The device profile pages: a new profile of each kind, its fields and raw XML saved or refused, its
preview, the templates that link it following its changes."""

from __future__ import annotations

import pytest

from builder.domainxml.elements import DEVICES
from builder.library import editing, rendering
from builder.library.models import DeviceProfile
from tests.editor_support import (
    DISK,
    changed,
    changes,
    device_tags,
    domain,
    errors_of,
    html_of,
    input_value,
    profile_form,
    rendered,
    text_of,
    tree,
)
from tests.helpers import form_values

pytestmark = pytest.mark.django_db


# -- a new profile ---------------------------------------------------------------------------------


def test_it_offers_the_kinds_for_a_new_profile(client):
    doc = html_of(client.get("/profiles/new/"))
    assert [o.get("value") for o in doc.get_element_by_id("kind").iter("option")] == list(DEVICES)
    doc = html_of(client.get("/profiles/new/", {"kind": "disk"}))
    assert input_value(doc, "kind") == "disk"


@pytest.mark.parametrize("kind", DEVICES)
def test_it_makes_a_new_profile_that_validates(client, kind):
    form = form_values(html_of(client.get("/profiles/new/", {"kind": kind})).find_class("stack")[0])
    response = client.post("/profiles/new/", {**form, "name": f"My {kind}"})
    profile = DeviceProfile.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/profiles/{profile.pk}/"
    assert (profile.name, profile.kind) == (f"My {kind}", kind)
    template = editing.new_template("uses-profile")
    uses = 1 if getattr(DEVICES[kind], "only_one", False) else 2  # a profile is used more than once
    for _ in range(uses):
        editing.add_device(template, profile=profile)
    root = rendering.render(template)
    assert device_tags(root) == [kind] * uses
    assert errors_of(root) == [], [str(p) for p in errors_of(root)]
    assert client.get(response["Location"]).status_code == 200


def test_it_gives_each_guest_of_a_new_nic_profile_its_own_mac(client):
    client.post("/profiles/new/", {"kind": "interface", "name": "NIC"})
    profile = DeviceProfile.objects.get()
    macs = set()
    for name in ("a", "b"):
        template = editing.new_template(name)
        editing.add_device(template, profile=profile)
        macs.add(rendered(client.get(f"/templates/{template.pk}/render/")).find("devices/interface/mac").get("address"))
    assert len(macs) == 2


# -- a profile's fields ----------------------------------------------------------------------------


def test_it_saves_a_changed_profile_field_and_linked_templates_follow(client, disk_profile):
    template = editing.new_template("follower")
    editing.add_device(template, profile=disk_profile)
    before = disk_profile.xml
    data = changed(profile_form(client, disk_profile), {"profile-source_file": "/srv/new.qcow2", "name": "Renamed"})
    response = client.post(f"/profiles/{disk_profile.pk}/", data)
    assert response.status_code == 302 and response["Location"] == f"/profiles/{disk_profile.pk}/"
    disk_profile.refresh_from_db()
    assert disk_profile.name == "Renamed" and disk_profile.description == "for all"
    found = changes(before, disk_profile.xml)
    assert found == ["/disk/source[1]/@file: '/var/lib/libvirt/images/shared.qcow2' became '/srv/new.qcow2'"]
    page = " ".join(html_of(client.get(response["Location"])).text_content().split())
    assert "Saved. 1 template device follows this profile in templates you can see." in page
    assert domain(template).find("devices/disk/source").get("file") == "/srv/new.qcow2"
    assert rendered(client.get(f"/templates/{template.pk}/render/")).find("devices/disk/source").get("file") == (
        "/srv/new.qcow2"
    )


def test_it_lists_the_templates_using_a_profile(client, disk_profile):
    template = editing.new_template("follower")
    slot = editing.add_device(template, profile=disk_profile)
    doc = html_of(client.get(f"/profiles/{disk_profile.pk}/"))
    assert f"/templates/{template.pk}/#slot{slot.pk}" in [a.get("href") for a in doc.iter("a")]


def test_it_refuses_an_invalid_profile_field_and_keeps_it(client, disk_profile):
    data = changed(
        profile_form(client, disk_profile), {"profile-source_file": "relative.img", "profile-target_dev": "vdc"}
    )
    response = client.post(f"/profiles/{disk_profile.pk}/", data)
    assert response.status_code == 422
    assert DeviceProfile.objects.get(pk=disk_profile.pk).xml == DISK
    doc = html_of(response)
    assert input_value(doc, "id_profile-source_file") == "relative.img"
    assert input_value(doc, "id_profile-target_dev") == "vdc"
    assert text_of(doc, "err-profile-source_file") == "must be an absolute path on the host, starting with /"
    assert text_of(doc, "err-profile-target_dev") == ""
    assert "Not saved: Some values are not accepted" in doc.text_content()


def test_it_previews_a_profile_with_errors_at_their_fields(client, disk_profile):
    data = changed(
        profile_form(client, disk_profile), {"profile-source_file": "relative.img", "profile-target_dev": "vdc"}
    )
    response = client.post(f"/profiles/{disk_profile.pk}/preview/", data)
    assert response.status_code == 200
    doc = html_of(response)
    assert text_of(doc, "err-profile-source_file") == "must be an absolute path on the host, starting with /"
    assert text_of(doc, "err-profile-target_dev") == ""
    xml = tree(doc.find(".//pre").text_content())
    assert xml.find("target").get("dev") == "vdc" and xml.find("source").get("file").endswith("shared.qcow2")
    assert DeviceProfile.objects.get(pk=disk_profile.pk).xml == DISK


def test_it_shows_what_libvirt_would_say_about_a_profile(client):
    profile = DeviceProfile.objects.create(name="bare bridge", xml="<interface type='bridge'/>")
    page = client.get(f"/profiles/{profile.pk}/").content.decode()
    assert "libvirt would not take this device as it is" in page and "Host bridge" in page


# -- a profile's raw XML ---------------------------------------------------------------------------


def test_it_saves_profile_raw_xml_of_its_kind(client, disk_profile):
    text = DISK.replace("vdb", "vdz").replace("</disk>", "  <!-- spare -->\n  <serial>abc</serial>\n</disk>")
    response = client.post(f"/profiles/{disk_profile.pk}/", {"name": "Shared disk", "description": "", "xml": text})
    assert response.status_code == 302
    disk_profile.refresh_from_db()
    assert changes(text, disk_profile.xml) == [] and disk_profile.summary.startswith("disk vdz")


def test_it_refuses_profile_raw_xml_of_another_kind(client, disk_profile):
    text = "<interface type='network'><source network='default'/></interface>"
    doc_before = html_of(client.get(f"/profiles/{disk_profile.pk}/"))
    raw = form_values(next(f for f in doc_before.iter("form") if "raw" in (f.get("class") or "")))
    response = client.post(f"/profiles/{disk_profile.pk}/", {**raw, "xml": [text]})
    assert response.status_code == 422
    disk_profile.refresh_from_db()
    assert disk_profile.xml == DISK and disk_profile.kind == "disk"
    doc = html_of(response)
    assert "a disk profile needs a <disk> element" in " ".join(doc.find_class("problem")[0].text_content().split())
    assert doc.get_element_by_id("xml").text_content() == text
    # The fields form still shows the profile as stored, ready to be used.
    assert input_value(doc, "id_profile-target_dev") == "vdb"
    assert input_value(doc, "id_profile-source_file") == "/var/lib/libvirt/images/shared.qcow2"


def test_it_refuses_broken_profile_raw_xml(client, disk_profile):
    response = client.post(f"/profiles/{disk_profile.pk}/", {"name": "x", "description": "", "xml": "<disk"})
    assert response.status_code == 422 and DeviceProfile.objects.get(pk=disk_profile.pk).xml == DISK
    assert html_of(response).get_element_by_id("xml").text_content() == "<disk"


def test_it_renames_a_profile_of_a_kind_the_form_does_not_know(client):
    profile = DeviceProfile.objects.create(name="Panic", xml="<panic model='isa'/>")
    doc = html_of(client.get(f"/profiles/{profile.pk}/"))
    data = changed(form_values(doc.find_class("editor-form")[0]), {"name": "ISA panic"})
    response = client.post(f"/profiles/{profile.pk}/", data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.name == "ISA panic"
    assert changes(profile.xml, "<panic model='isa'/>") == []
    response = client.post(f"/profiles/{profile.pk}/preview/", data)
    assert response.status_code == 200 and "panic" in response.content.decode()
    text = "<panic model='hyperv'/>"
    response = client.post(f"/profiles/{profile.pk}/", {"name": "ISA panic", "description": "", "xml": text})
    assert response.status_code == 302
    assert changes(DeviceProfile.objects.get(pk=profile.pk).xml, text) == []
    response = client.post(f"/profiles/{profile.pk}/", {"name": "x", "description": "", "xml": "<rng model='virtio'/>"})
    assert response.status_code == 422 and changes(DeviceProfile.objects.get(pk=profile.pk).xml, text) == []
