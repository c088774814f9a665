"""A new template, and the editor page as it shows one: a labelled input for every declared field, the
imported values, linked devices with their profile, what can be added; 404 for what does not exist."""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree

from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.fields import Many
from builder.editor.forms import BOOT_SLOTS
from builder.library import editing, rendering, services
from builder.library.models import DeviceProfile, DomainTemplate
from tests.editor_support import (
    current_xml,
    device_tags,
    domain,
    editor_form,
    editor_page,
    errors_of,
    html_of,
    input_value,
    slots,
    text_of,
)

pytestmark = pytest.mark.django_db


# -- a new template --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["my-guest", "Tom & Jerry <test>"])
def test_it_makes_a_new_template_that_validates(client, name):
    response = client.post("/templates/new/", {"name": name})
    template = DomainTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/templates/{template.pk}/"
    root = domain(template)
    assert root.findtext("name") == name == template.name
    assert errors_of(root) == []
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"Created template {name}" in " ".join(html_of(page).text_content().split())


def test_it_names_a_new_template_when_no_name_is_given(client):
    client.post("/templates/new/", {"name": "  "})
    assert DomainTemplate.objects.get().name == "new-guest"


def test_it_makes_a_new_template_that_libvirt_defines(client, define):
    client.post("/templates/new/", {"name": "defined"})
    assert "<name>defined</name>" in define(current_xml(DomainTemplate.objects.get()))


@pytest.mark.parametrize("name", ["a]]>b", "tab\there", "bell\x07"])
def test_it_never_fails_on_an_odd_new_template_name(client, name):
    response = client.post("/templates/new/", {"name": name})
    assert response.status_code == 302
    if "\x07" in name:
        assert not DomainTemplate.objects.exists()
    else:
        assert domain(DomainTemplate.objects.get()).findtext("name") == name


# -- the editor page -------------------------------------------------------------------------------


def expected_rows(cls, node) -> list[tuple[str, str]]:
    """(input name, label) for every field of a declaration, as the page must show them."""
    rows = []
    for f in cls.fields.values():
        if f.readonly and not f.read(node):
            continue  # nothing to show: a running guest's id, on a template
        if isinstance(f, Many):
            rows += [(f"{f.name}_{i}", f"{f.label}: {i}") for i in range(1, BOOT_SLOTS + 1)]
        else:
            rows.append((f.name, f.label))
    return rows


def assert_labelled(doc, prefix: str, rows: list[tuple[str, str]]) -> None:
    labels = {lab.get("for"): lab.text_content().strip() for lab in doc.iter("label")}
    for name, label in rows:
        control_id = f"id_{prefix}-{name}"
        control = doc.get_element_by_id(control_id)
        assert control.tag in ("input", "select", "textarea"), control_id
        assert control.get("name") == f"{prefix}-{name}"
        assert labels.get(control_id) == label, control_id
        assert doc.get_element_by_id(f"err-{prefix}-{name}") is not None


def test_it_shows_a_labelled_input_for_every_declared_field(client):
    template = editing.new_template("every-field")
    for kind in DEVICES:
        editing.add_device(template, kind=kind)
    doc = lxml.html.fromstring(editor_page(client, template))
    root = rendering.render(template)
    for cls in SECTIONS:
        rows = expected_rows(cls, root)
        assert rows, cls
        assert_labelled(doc, cls.__name__.lower(), rows)
        help_labels = {b.get("aria-label") for b in doc.get_element_by_id(f"section-{cls.__name__.lower()}").iter()}
        assert {f"Help: {f.label}" for f in cls.fields.values() if not f.readonly} <= help_labels
    for slot, node in zip(slots(template), rendering.device_nodes(root), strict=True):
        cls = DEVICES[node.tag]
        assert_labelled(doc, f"slot{slot.pk}", expected_rows(cls, node))
        assert cls.label in text_of(doc, f"slot{slot.pk}")
    assert device_tags(root) == list(DEVICES)


def test_it_shows_the_imported_values_in_the_fields(client, imported, nic_slot):
    doc = lxml.html.fromstring(editor_page(client, imported))
    assert input_value(doc, "id_general-name") == "f30"
    assert input_value(doc, "id_resources-memory") == "8294400"
    assert input_value(doc, "id_boot-boot_devices_1") == "hd" and input_value(doc, "id_boot-boot_devices_2") == ""
    assert doc.get_element_by_id("id_features-acpi").get("checked") is not None
    assert doc.get_element_by_id("id_features-pae").get("checked") is None
    assert input_value(doc, f"id_slot{nic_slot.pk}-mac") == "52:54:00:86:20:1c"
    # The controllers are declared: the USB one shows its model and ports.
    controller = next(s for s in slots(imported) if s.xml.lstrip().startswith("<controller"))
    assert input_value(doc, f"id_slot{controller.pk}-type") == "usb"
    assert input_value(doc, f"id_slot{controller.pk}-usb_model") == "qemu-xhci"
    assert input_value(doc, f"id_slot{controller.pk}-usb_ports") == "15"


def test_it_says_to_edit_an_unknown_device_as_xml(client):
    # A device the form does not declare is kept and said to be edited as XML.
    template = services.import_domain(
        b"<domain type='kvm'><name>hub</name><memory>65536</memory><os><type>hvm</type></os>"
        b"<devices><hub type='usb'/></devices></domain>"
    ).template
    doc = lxml.html.fromstring(editor_page(client, template))
    (hub,) = slots(template)
    assert "The form does not know <hub>; edit it as XML." in text_of(doc, f"slot{hub.pk}")
    assert not [el for el in doc.iter("input") if (el.get("name") or "").startswith(f"slot{hub.pk}-")]


def test_it_shows_a_running_id_but_never_posts_it(client):
    template = services.import_domain(
        b"<domain type='kvm' id='7'><name>running</name><memory>65536</memory>"
        b"<os><type arch='x86_64'>hvm</type></os></domain>"
    ).template
    doc = lxml.html.fromstring(editor_page(client, template))
    control = doc.get_element_by_id("id_general-domain_id")
    assert control.get("value") == "7" and control.get("disabled") is not None
    assert "general-domain_id" not in editor_form(client, template)
    assert client.post(f"/templates/{template.pk}/", editor_form(client, template)).status_code == 302
    assert domain(template).get("id") == "7"


def test_it_shows_linked_slots_with_the_profile_note_and_a_detach_button(client, mixed):
    linked = slots(mixed)[2]
    doc = lxml.html.fromstring(editor_page(client, mixed))
    item = doc.get_element_by_id(f"slot{linked.pk}")
    assert "Linked to the profile Tablet: it follows changes made there." in text_of(doc, f"slot{linked.pk}")
    assert item.find(".//p[@class='note']/a").get("href") == f"/profiles/{linked.profile_id}/"
    detach = [b for b in item.iter("button") if b.text_content().strip() == "Detach from profile"]
    assert [b.get("formaction") for b in detach] == [f"/templates/{mixed.pk}/devices/{linked.pk}/detach/"]
    assert not [el for el in item.iter("input", "select") if (el.get("name") or "").startswith(f"slot{linked.pk}-")]
    assert "Save as profile" not in item.text_content()
    own = doc.get_element_by_id(f"slot{slots(mixed)[0].pk}")
    assert "Detach from profile" not in own.text_content() and "Save as profile" in own.text_content()


def test_it_offers_every_device_kind_and_every_profile_to_add(client, mixed):
    doc = lxml.html.fromstring(editor_page(client, mixed))
    options = [o.get("value") for o in doc.get_element_by_id("add-device").iter("option")]
    profile = DeviceProfile.objects.get()
    assert options == [f"kind:{k}" for k in DEVICES] + [f"profile:{profile.pk}"]


# -- choices of the fields' selects ----------------------------------------------------------------


def test_forms_share_choices_yet_an_unknown_value_shows_only_in_its_own_form():
    from builder.editor.forms import form_for

    disk = DEVICES["disk"]
    odd = etree.fromstring("<disk type='file'><target dev='vda' bus='floppyish'/></disk>")
    plain = etree.fromstring("<disk type='file'><target dev='vdb' bus='virtio'/></disk>")
    shown = form_for(disk, "slot1", node=odd)
    other = form_for(disk, "slot2", node=plain)
    assert "floppyish (not a known choice)" in str(shown["target_bus"])  # kept on the page, not lost
    assert "not a known choice" not in str(other["target_bus"])
    assert "not a known choice" not in str(form_for(disk, "slot3", node=plain)["target_bus"])
    assert [c for c, _ in other.fields["target_bus"].choices] == ["", *disk.fields["target_bus"].choices]


# -- what does not exist ---------------------------------------------------------------------------


def test_it_answers_404_for_unknown_things(client):
    for url in ("/templates/999/preview/", "/templates/999/xml/", "/profiles/999/", "/templates/999/render/"):
        method = client.post if url.endswith("preview/") else client.get
        assert method(url).status_code == 404, url
