"""The editor's live preview: the XML of what was typed, unsaved, with the summary chips, and every
problem placed at the field it belongs to."""

from __future__ import annotations

import pytest
from lxml import etree

from builder.library import editing
from tests.editor_support import (
    MULTICAST,
    changed,
    changes,
    current_xml,
    domain,
    editor_form,
    empties_error_boxes,
    html_of,
    preview_xml,
    slots,
    stored,
    text_of,
    tree,
)

pytestmark = pytest.mark.django_db


# -- the preview of what was typed -----------------------------------------------------------------


def test_it_previews_a_changed_value_without_saving_it(client, imported):
    before = stored(imported)
    data = changed(editor_form(client, imported), {"resources-vcpu": "3", "lifecycle-on_crash": "preserve"})
    response = client.post(f"/templates/{imported.pk}/preview/", data)
    assert response.status_code == 200
    root = preview_xml(response)
    assert root.findtext("vcpu") == "3" and root.find("vcpu").get("placement") == "static"
    assert root.findtext("on_crash") == "preserve"
    assert changes(current_xml(imported), etree.tostring(root, encoding="unicode")) == [
        "/domain/vcpu[1]: text '5' became '3'",
        "/domain/on_crash[1]: text 'destroy' became 'preserve'",
    ]
    assert stored(imported) == before
    assert "<html" not in response.content.decode()


def test_it_answers_the_preview_with_the_summary_chips(client, imported):
    data = changed(editor_form(client, imported), {"resources-vcpu": "3", "boot-boot_devices_2": "cdrom"})
    doc = html_of(client.post(f"/templates/{imported.pk}/preview/", data))
    chips = [" ".join(c.text_content().split()) for c in doc.find_class("chip")]
    assert chips == ["3 vCPU", "8100 MiB", "3 disks", "1 NIC", "boot: hd, cdrom", "2 consoles"]
    assert "Valid against libvirt's schema and checks" in " ".join(doc.find_class("status")[0].text_content().split())


def test_it_takes_a_parameter_in_a_checked_field_and_validates_with_its_default(client, mixed):
    mixed.parameters = [{"name": "disk_path", "default": "/var/lib/libvirt/images/mixed.qcow2"}]
    mixed.save()
    disk = slots(mixed)[0]
    data = changed(editor_form(client, mixed), {f"slot{disk.pk}-source_file": "${disk_path}"})
    response = client.post(f"/templates/{mixed.pk}/preview/", data)
    assert response.status_code == 200
    doc = html_of(response)
    assert "${disk_path}" in text_of(doc, "xml-preview")
    assert "Valid against libvirt" in doc.find_class("status")[0].text_content()
    assert client.post(f"/templates/{mixed.pk}/", data).status_code == 302
    assert 'file="${disk_path}"' in current_xml(mixed) or "file='${disk_path}'" in current_xml(mixed)


# -- problems placed at their fields ---------------------------------------------------------------


def test_it_places_a_multicast_mac_at_its_field_in_the_preview(client, imported, nic_slot):
    before = stored(imported)
    data = changed(editor_form(client, imported), {f"slot{nic_slot.pk}-mac": MULTICAST, "resources-vcpu": "4"})
    response = client.post(f"/templates/{imported.pk}/preview/", data)
    assert response.status_code == 200
    doc = html_of(response)
    target = doc.get_element_by_id(f"err-slot{nic_slot.pk}-mac")
    assert target.get("hx-swap-oob") == "innerHTML"
    assert "multicast address, which libvirt refuses" in target.text_content()
    assert text_of(doc, "err-resources-vcpu") == ""  # the other fields' messages are cleared
    root = preview_xml(response)
    assert root.find("devices/interface/mac").get("address") == "52:54:00:86:20:1c"  # kept until fixed
    assert root.findtext("vcpu") == "4"  # the valid change still shows
    assert stored(imported) == before


def test_it_places_memory_that_is_not_a_number_at_its_field(client, imported):
    data = changed(editor_form(client, imported), {"resources-memory": "lots"})
    doc = html_of(client.post(f"/templates/{imported.pk}/preview/", data))
    assert text_of(doc, "err-resources-memory") == "'lots' is not a whole number"
    assert doc.get_element_by_id("err-resources-memory").get("hx-swap-oob") == "innerHTML"
    assert tree(doc.get_element_by_id("xml-preview").text_content()).findtext("memory") == "8294400"


def test_it_places_schema_problems_at_their_fields(client):
    template = editing.new_template("probs")
    editing.add_device(template, kind="graphics")
    slot = slots(template)[0]
    data = changed(editor_form(client, template), {"resources-current_memory": "4194304"})
    doc = html_of(client.post(f"/templates/{template.pk}/preview/", data))
    assert "Not valid for libvirt" in " ".join(doc.find_class("status")[0].text_content().split())
    assert "current memory is larger than the maximum memory" in text_of(doc, "err-resources-current_memory")
    assert text_of(doc, f"err-slot{slot.pk}-listen") == ""
    assert domain(template).find("currentMemory") is None  # a preview only


def test_it_answers_the_preview_with_a_general_error_element(client, imported):
    doc = html_of(client.post(f"/templates/{imported.pk}/preview/", editor_form(client, imported)))
    general = doc.get_element_by_id("err-")
    assert general.get("hx-swap-oob") == "innerHTML" and general.text_content().strip() == ""
    assert empties_error_boxes(doc)  # and the fields' boxes, so no message of an earlier preview stays


def test_it_refuses_a_control_character_in_a_field_without_failing(client, mixed):
    response = client.post(
        f"/templates/{mixed.pk}/preview/", changed(editor_form(client, mixed), {"general-name": "x\x01"})
    )
    assert response.status_code == 200
    assert "control character" in text_of(html_of(response), "err-general-name")
