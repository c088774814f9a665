"""Saving the editor's sections form: exactly the field changed and nothing else, an imported domain kept
as it was, an invalid save refused with what was typed kept, fields that depend on others."""

from __future__ import annotations

import lxml.html
import pytest

from builder.library import rendering, services
from builder.library.models import DeviceProfile
from tests.editor_support import (
    MULTICAST,
    changed,
    changes,
    current_xml,
    domain,
    editor_form,
    editor_page,
    errors_of,
    html_of,
    input_value,
    press,
    raw_text,
    slots,
    stored,
    text_of,
)
from tests.helpers import CORPUS

pytestmark = pytest.mark.django_db


# -- saving exactly what was changed ---------------------------------------------------------------


# (field typed in, its new value, the one difference it must make); {disk} and {nic} are the
# prefixes of bootorder-in.xml's first disk and its interface.
FEATURES = "/domain/features[1]: children ['acpi', 'apic', 'vmport'] became "
EDITS = {
    "vcpu": ("resources-vcpu", "3", "/domain/vcpu[1]: text '5' became '3'"),
    "name": ("general-name", "f31", "/domain/name[1]: text 'f30' became 'f31'"),
    "select": ("lifecycle-on_crash", "restart", "/domain/on_crash[1]: text 'destroy' became 'restart'"),
    "untick": ("features-apic", None, FEATURES + "['acpi', 'vmport']"),
    "tick": ("features-pae", "on", FEATURES + "['acpi', 'apic', 'pae', 'vmport']"),
    "boot order": (
        "boot-boot_devices_2",
        "cdrom",
        "/domain/os[1]: children ['type', 'boot'] became ['type', 'boot', 'boot']",
    ),
    "disk file": (
        "{disk}-source_file",
        "/var/lib/libvirt/images/other.qcow2",
        "/domain/devices[1]/disk[1]/source[1]/@file: '/mnt/data/devel/images/f30.qcow2' became "
        "'/var/lib/libvirt/images/other.qcow2'",
    ),
    "mac": (
        "{nic}-mac",
        "52:54:00:AA:BB:CC",
        "/domain/devices[1]/interface[1]/mac[1]/@address: '52:54:00:86:20:1c' became '52:54:00:aa:bb:cc'",
    ),
}


@pytest.mark.parametrize(("field", "value", "difference"), EDITS.values(), ids=EDITS.keys())
def test_it_saves_exactly_the_changed_field(client, imported, nic_slot, field, value, difference):
    disk = slots(imported)[0]
    field = field.format(disk=f"slot{disk.pk}", nic=f"slot{nic_slot.pk}")
    before = current_xml(imported)
    response = client.post(f"/templates/{imported.pk}/", changed(editor_form(client, imported), {field: value}))
    assert response.status_code == 302 and response["Location"] == f"/templates/{imported.pk}/"
    assert changes(before, current_xml(imported)) == [difference]
    assert "Saved." in html_of(client.get(response["Location"])).text_content()


def test_it_saves_nothing_new_when_nothing_was_changed(client, imported):
    before = current_xml(imported)
    assert client.post(f"/templates/{imported.pk}/", editor_form(client, imported)).status_code == 302
    assert current_xml(imported) == before


# Imported domains whose values the forms would not write themselves: a relative image path,
# a chardev type the form does not list, memory given only by NUMA cells, a comment in <memory>.
UNUSUAL = [
    "virt-clone-unmanaged-preserve.xml",
    "virt-install-bhyve-uefi-1.xml",
    "virt-install-memory-hotplug-1.xml",
    "virt-install-many-devices.xml",
    "change-guest-out.xml",
]


@pytest.mark.parametrize("name", UNUSUAL)
def test_it_saves_an_imported_domain_unchanged_and_one_change_exactly(client, name):
    path = next(p for p in CORPUS if p.name == name)
    template = services.import_domain(path.read_bytes()).template
    before = current_xml(template)
    assert client.post(f"/templates/{template.pk}/", editor_form(client, template)).status_code == 302
    assert changes(before, current_xml(template)) == []
    response = client.post(
        f"/templates/{template.pk}/", changed(editor_form(client, template), {"lifecycle-on_crash": "coredump-restart"})
    )
    assert response.status_code == 302
    found = changes(before, current_xml(template))
    assert len(found) == 1 and "on_crash" in found[0], found


def test_it_saves_a_template_with_linked_devices(client, mixed):
    profile_xml = DeviceProfile.objects.get().xml
    response = client.post(f"/templates/{mixed.pk}/", changed(editor_form(client, mixed), {"resources-vcpu": "4"}))
    assert response.status_code == 302
    assert domain(mixed).findtext("vcpu") == "4"
    linked = slots(mixed)[2]
    assert linked.profile is not None and linked.xml == "" and linked.profile.xml == profile_xml


def test_it_keeps_a_parameter_in_a_number_field_through_an_unrelated_save(client, mixed):
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/")).replace("<vcpu>2</vcpu>", "<vcpu>${cpus}</vcpu>")
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    doc = lxml.html.fromstring(editor_page(client, mixed))
    vcpu = doc.get_element_by_id("id_resources-vcpu")
    assert vcpu.get("type") == "text" and vcpu.get("inputmode") == "numeric" and vcpu.get("value") == "${cpus}"
    response = client.post(f"/templates/{mixed.pk}/", changed(editor_form(client, mixed), {"general-name": "mixed2"}))
    assert response.status_code == 302
    assert domain(mixed).findtext("vcpu") == "${cpus}"


# -- refused saves ---------------------------------------------------------------------------------


def test_it_refuses_an_invalid_save_and_keeps_what_was_typed(client, imported, nic_slot):
    before = stored(imported)
    edits = {"resources-memory": "lots", "resources-vcpu": "3", f"slot{nic_slot.pk}-mac": MULTICAST}
    response = client.post(f"/templates/{imported.pk}/", changed(editor_form(client, imported), edits))
    assert response.status_code == 422
    assert stored(imported) == before
    doc = html_of(response)
    assert input_value(doc, "id_resources-memory") == "lots"
    assert input_value(doc, "id_resources-vcpu") == "3"
    assert input_value(doc, f"id_slot{nic_slot.pk}-mac") == MULTICAST
    assert text_of(doc, "err-resources-memory") == "'lots' is not a whole number"
    assert "multicast" in text_of(doc, f"err-slot{nic_slot.pk}-mac")
    assert "Nothing was changed" in doc.text_content()
    # The form on the refused page posts to the same places, so trying again works.
    html = response.content.decode()
    assert (
        press(
            client, html, "Save", edits={"resources-memory": "4194304", f"slot{nic_slot.pk}-mac": "52:54:00:01:02:03"}
        ).status_code
        == 302
    )
    assert domain(imported).findtext("memory") == "4194304" and domain(imported).findtext("vcpu") == "3"


def test_it_refuses_clearing_a_required_field(client, imported):
    before = stored(imported)
    response = client.post(f"/templates/{imported.pk}/", changed(editor_form(client, imported), {"general-name": ""}))
    assert response.status_code == 422 and stored(imported) == before
    assert text_of(html_of(response), "err-general-name") == "This field is required."


def test_only_a_page_that_shows_the_stored_values_previews_the_typed_parts_alone(client, imported):
    """The page's script leaves out of the preview the parts nothing was typed in, which the server
    takes as stored: right for a page that came with the stored values, wrong for a refused save's."""
    page = lxml.html.fromstring(editor_page(client, imported)).get_element_by_id("editor-form")
    assert page.get("data-preview-partial") is not None
    refused = client.post(f"/templates/{imported.pk}/", changed(editor_form(client, imported), {"general-name": ""}))
    form = html_of(refused).get_element_by_id("editor-form")
    assert form.get("data-preview-partial") is None and form.get("data-dirty") is not None


# -- fields that depend on the device's type -------------------------------------------------------


def test_it_asks_for_the_source_a_type_needs_and_the_result_defines(client, mixed, define):
    disk = slots(mixed)[0]
    data = changed(editor_form(client, mixed), {f"slot{disk.pk}-type": "block"})
    response = client.post(f"/templates/{mixed.pk}/", data)
    assert response.status_code == 422
    assert "needed here" in text_of(html_of(response), f"err-slot{disk.pk}-source_dev")
    data[f"slot{disk.pk}-source_dev"] = ["/dev/vg0/mixed"]
    assert client.post(f"/templates/{mixed.pk}/", data).status_code == 302
    root = domain(mixed)
    assert root.find("devices/disk/source").attrib == {"dev": "/dev/vg0/mixed"}
    assert errors_of(root) == []
    assert define(rendering.render_xml(mixed))


def test_it_does_not_block_a_save_on_a_field_that_no_longer_applies(client, mixed):
    disk = slots(mixed)[0]
    edits = {f"slot{disk.pk}-source_file": "relative.img", f"slot{disk.pk}-type": "block",
             f"slot{disk.pk}-source_dev": "/dev/vg0/x"}  # fmt: skip
    assert client.post(f"/templates/{mixed.pk}/", changed(editor_form(client, mixed), edits)).status_code == 302
