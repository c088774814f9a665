"""The browser builder's server side, through Django's test client as a browser would use it.

Forms are posted the way the pages post them: every input, select and textarea of the page's
form with the value the page gave it, plus the button pressed (its formaction and name/value).
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from builder.domainxml.compare import differences
from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.fields import Many
from builder.editor.forms import BOOT_SLOTS
from builder.library import editing, services
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate
from tests.helpers import CORPUS, SHARED, form_values

pytestmark = pytest.mark.django_db

XMLPARSE = SHARED / "corpus/virt-manager/xmlparse"
BOOTORDER = XMLPARSE / "bootorder-in.xml"
DISK = (
    "<disk type='file' device='disk'>\n  <driver name='qemu' type='qcow2'/>\n"
    "  <source file='/var/lib/libvirt/images/shared.qcow2'/>\n  <target dev='vdb' bus='virtio'/>\n</disk>"
)
TABLET = "<input type='tablet' bus='usb'/>"
MULTICAST = "11:22:33:44:55:66"


# -- helpers: a browser's view of the pages ---------------------------------------------------


def html_of(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def editor_page(client, template) -> str:
    response = client.get(f"/templates/{template.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def editor_form(client, template) -> dict[str, list[str]]:
    return form_values(lxml.html.fromstring(editor_page(client, template)).get_element_by_id("editor-form"))


def changed(data: dict[str, list[str]], edits: dict[str, str | None]) -> dict[str, list[str]]:
    """The form data with some fields typed in (None: a checkbox unticked)."""
    data = {k: list(v) for k, v in data.items()}
    for name, value in edits.items():
        if value is None:
            data.pop(name, None)
        else:
            assert name in data or value == "on", f"the page has no field {name}"
            data[name] = [value]
    return data


def press(client, html: str, label: str, within: str | None = None, edits: dict | None = None):
    """Press the button labelled `label` (inside the element with id `within`) of the editor form."""
    doc = lxml.html.fromstring(html)
    form = doc.get_element_by_id("editor-form")
    scope = doc.get_element_by_id(within) if within else form
    buttons = [b for b in scope.iter("button") if b.text_content().strip() == label]
    assert len(buttons) == 1, f"{len(buttons)} buttons labelled {label!r}"
    button = buttons[0]
    assert button.get("disabled") is None, f"{label!r} is disabled"
    data = changed(form_values(form), edits or {})
    if button.get("name"):
        data[button.get("name")] = [button.get("value", "")]
    return client.post(button.get("formaction") or form.get("action"), data)


def stored(template) -> tuple:
    """Everything the database holds about a template."""
    t = DomainTemplate.objects.get(pk=template.pk)
    slots = list(t.slots.order_by("position").values_list("position", "profile_id", "xml"))
    return t.name, t.xml, t.parameters, slots


def tree(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode())


def current_xml(template) -> str:
    """The template's whole domain as the database has it now."""
    return services.render_xml(DomainTemplate.objects.get(pk=template.pk))


def domain(template) -> etree._Element:
    return tree(current_xml(template))


def changes(before: str, after: str) -> list[str]:
    return differences(tree(before), tree(after), reorder_top=False)


def device_tags(root: etree._Element) -> list[str]:
    return [d.tag for d in editing.device_nodes(root)]


def errors_of(root) -> list:
    return [p for p in services.check(root) if p.level == "error"]


def text_of(doc, element_id: str) -> str:
    element = doc.get_element_by_id(element_id, None)
    if element is None and element_id.startswith("err-") and empties_error_boxes(doc):
        return ""  # a preview swaps in only the boxes with messages, after emptying them all
    return " ".join(element.text_content().split())


def empties_error_boxes(doc) -> bool:
    swaps = doc.xpath("//div[starts-with(@hx-swap-oob, 'innerHTML:')]")
    return any(s.get("hx-swap-oob").endswith("-form .field-errors") and len(s) == 0 for s in swaps)


def preview_xml(response) -> etree._Element:
    return tree(html_of(response).get_element_by_id("xml-preview").text_content())


def input_value(doc, element_id: str) -> str | None:
    el = doc.get_element_by_id(element_id)
    if el.tag == "select":
        chosen = [o for o in el.iter("option") if o.get("selected") is not None]
        return chosen[0].get("value") if chosen else None
    return el.get("value")


def slots(template) -> list[DeviceSlot]:
    return editing.slots_of(template)


@pytest.fixture
def imported():
    return services.import_domain(BOOTORDER.read_bytes()).template


@pytest.fixture
def nic_slot(imported) -> DeviceSlot:
    return next(s for s in slots(imported) if s.xml.lstrip().startswith("<interface"))


@pytest.fixture
def mixed():
    """A small valid guest: an own disk, an own NIC, a USB tablet linked to a profile."""
    template = editing.new_template("mixed")
    editing.add_device(template, kind="disk")
    editing.add_device(template, kind="interface")
    tablet = DeviceProfile.objects.create(name="Tablet", xml=TABLET)
    editing.add_device(template, profile=tablet)
    return template


# -- the library --------------------------------------------------------------------------


def listed(doc, heading_id: str) -> list[str]:
    section = next(s for s in doc.iter("section") if s.get("aria-labelledby") == heading_id)
    return [row.findall("td")[0].find("a").text_content() for row in section.iter("tr") if row.findall("td")]


def count(doc, heading_id: str) -> int:
    return int(doc.get_element_by_id(heading_id).find_class("count")[0].text_content())


@pytest.fixture
def library():
    DomainTemplate.objects.create(
        name="web-frontend", xml="<domain type='kvm'><name>web-frontend</name><memory>1024</memory></domain>"
    )
    DomainTemplate.objects.create(
        name="db", description="postgres for the web tier", xml="<domain type='kvm'><name>db</name></domain>"
    )
    DomainTemplate.objects.create(name="mail", xml="<domain type='kvm'><name>mail</name></domain>")
    DeviceProfile.objects.create(name="Fast disk", xml=DISK)
    DeviceProfile.objects.create(name="LAN", xml="<interface type='bridge'><source bridge='br0'/></interface>")
    DeviceProfile.objects.create(name="Web NIC", xml="<interface type='network'><source network='web'/></interface>")


def test_it_lists_and_counts_everything_without_a_filter(client, library):
    doc = html_of(client.get("/"))
    assert listed(doc, "h-templates") == ["db", "mail", "web-frontend"]
    assert listed(doc, "h-profiles") == ["Fast disk", "LAN", "Web NIC"]
    assert (count(doc, "h-templates"), count(doc, "h-profiles")) == (3, 3)


def test_it_narrows_the_library_by_search(client, library):
    doc = html_of(client.get("/", {"q": "WEB"}))
    assert listed(doc, "h-templates") == ["db", "web-frontend"]  # db by its description
    assert listed(doc, "h-profiles") == ["Web NIC"]
    assert (count(doc, "h-templates"), count(doc, "h-profiles")) == (2, 1)
    assert input_value(doc, "q") == "WEB"

    doc = html_of(client.get("/", {"q": "br0"}))  # a profile's summary
    assert listed(doc, "h-profiles") == ["LAN"] and listed(doc, "h-templates") == []
    assert "No template matches “br0”" in text_of(doc, "results")


def test_it_narrows_the_profiles_by_kind(client, library):
    doc = html_of(client.get("/", {"kind": "interface"}))
    assert listed(doc, "h-profiles") == ["LAN", "Web NIC"]
    assert count(doc, "h-profiles") == 2 and count(doc, "h-templates") == 0  # none has a NIC
    assert input_value(doc, "kind") == "interface"

    doc = html_of(client.get("/", {"kind": "interface", "q": "web"}))
    assert listed(doc, "h-profiles") == ["Web NIC"]

    doc = html_of(client.get("/", {"kind": "graphics"}))
    assert listed(doc, "h-profiles") == [] and "No profiles match." in text_of(doc, "results")


def test_it_answers_htmx_with_the_results_partial_only(client, library):
    response = client.get("/", {"q": "mail"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "<form" not in page and 'id="results"' not in page
    doc = lxml.html.fragment_fromstring(page, create_parent="div")
    assert listed(doc, "h-templates") == ["mail"] and listed(doc, "h-profiles") == []
    assert (count(doc, "h-templates"), count(doc, "h-profiles")) == (1, 0)

    full = client.get("/", {"q": "mail"}).content.decode()
    assert "<html" in full and 'id="results"' in full


# -- a new template -----------------------------------------------------------------------


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


# -- the editor page ----------------------------------------------------------------------


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
    root = services.render(template)
    for cls in SECTIONS:
        rows = expected_rows(cls, root)
        assert rows, cls
        assert_labelled(doc, cls.__name__.lower(), rows)
        help_labels = {b.get("aria-label") for b in doc.get_element_by_id(f"section-{cls.__name__.lower()}").iter()}
        assert {f"Help: {f.label}" for f in cls.fields.values() if not f.readonly} <= help_labels
    for slot, node in zip(slots(template), editing.device_nodes(root), strict=True):
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


# -- the live preview ---------------------------------------------------------------------


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


# -- saving -------------------------------------------------------------------------------


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


def test_it_saves_a_template_with_linked_devices(client, mixed):
    profile_xml = DeviceProfile.objects.get().xml
    response = client.post(f"/templates/{mixed.pk}/", changed(editor_form(client, mixed), {"resources-vcpu": "4"}))
    assert response.status_code == 302
    assert domain(mixed).findtext("vcpu") == "4"
    linked = slots(mixed)[2]
    assert linked.profile is not None and linked.xml == "" and linked.profile.xml == profile_xml


# -- device actions -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", DEVICES)
def test_it_adds_a_new_device_of_each_kind(client, kind):
    client.post("/templates/new/", {"name": f"with-{kind}"})
    template = DomainTemplate.objects.get()
    once = getattr(DEVICES[kind], "only_one", False)  # a second <watchdog> is refused by libvirt 9.0
    for n in (1,) if once else (1, 2):
        response = press(client, editor_page(client, template), "Add device", edits={"device": f"kind:{kind}"})
        added = slots(template)[-1]
        assert response.status_code == 302
        assert response["Location"] == f"/templates/{template.pk}/#slot{added.pk}"
        assert device_tags(domain(template)) == [kind] * n
        assert added.profile is None and added.xml.startswith(f"<{kind}")
    root = domain(template)
    assert errors_of(root) == [], [str(p) for p in errors_of(root)]
    if not once:
        first, second = editing.device_nodes(root)
        assert etree.tostring(first) != etree.tostring(second)  # the second does not clash with the first
    message = f"Added a new {DEVICES[kind].label.lower()}."
    assert message in html_of(client.get(f"/templates/{template.pk}/")).text_content()


def test_it_adds_a_device_from_a_profile_linked(client, mixed):
    profile = DeviceProfile.objects.create(name="Shared disk", xml=DISK)
    response = press(client, editor_page(client, mixed), "Add device", edits={"device": f"profile:{profile.pk}"})
    assert response.status_code == 302
    added = slots(mixed)[-1]
    assert added.profile == profile and added.xml == ""
    assert device_tags(domain(mixed)) == ["disk", "interface", "input", "disk"]
    assert domain(mixed).findall("devices/disk")[1].find("source").get("file") == "/var/lib/libvirt/images/shared.qcow2"


def test_it_refuses_to_add_nothing(client, mixed):
    before = current_xml(mixed)
    response = press(client, editor_page(client, mixed), "Add device", edits={"device": "kind:nonsense"})
    assert response.status_code == 302 and changes(before, current_xml(mixed)) == []
    assert len(slots(mixed)) == 3
    assert "Choose a profile or a kind of device to add." in html_of(client.get(response["Location"])).text_content()


def test_it_moves_devices_up_and_down(client, mixed):
    disk, nic, tablet = slots(mixed)
    response = press(client, editor_page(client, mixed), "Move up", within=f"slot{nic.pk}")
    assert response.status_code == 302 and response["Location"] == f"/templates/{mixed.pk}/#slot{nic.pk}"
    assert device_tags(domain(mixed)) == ["interface", "disk", "input"]
    assert [s.pk for s in slots(mixed)] == [nic.pk, disk.pk, tablet.pk]

    press(client, editor_page(client, mixed), "Move down", within=f"slot{nic.pk}")
    press(client, editor_page(client, mixed), "Move down", within=f"slot{nic.pk}")
    assert device_tags(domain(mixed)) == ["disk", "input", "interface"]
    assert [s.position for s in slots(mixed)] == [0, 1, 2]

    doc = lxml.html.fromstring(editor_page(client, mixed))
    first, last = doc.get_element_by_id(f"slot{disk.pk}"), doc.get_element_by_id(f"slot{nic.pk}")
    assert [b.get("disabled") is not None for b in first.iter("button") if "Move" in b.text_content()] == [True, False]
    assert [b.get("disabled") is not None for b in last.iter("button") if "Move" in b.text_content()] == [False, True]


def test_it_says_so_when_a_device_cannot_move_further(client, mixed):
    first = slots(mixed)[0]
    data = editor_form(client, mixed) | {"direction": ["up"]}
    response = client.post(f"/templates/{mixed.pk}/devices/{first.pk}/move/", data, follow=True)
    assert "That device is already at the end of the list." in response.content.decode()
    assert device_tags(domain(mixed)) == ["disk", "interface", "input"]


def test_it_removes_a_device(client, mixed):
    disk, nic, tablet = slots(mixed)
    response = press(client, editor_page(client, mixed), "Remove", within=f"slot{nic.pk}")
    assert response.status_code == 302
    assert device_tags(domain(mixed)) == ["disk", "input"]
    assert [(s.pk, s.position) for s in slots(mixed)] == [(disk.pk, 0), (tablet.pk, 1)]
    press(client, editor_page(client, mixed), "Remove", within=f"slot{tablet.pk}")
    assert device_tags(domain(mixed)) == ["disk"]
    assert DeviceProfile.objects.filter(name="Tablet").exists()  # the profile stays in the library
    assert "Removed Tablet." in html_of(client.get(f"/templates/{mixed.pk}/")).text_content()


def test_it_detaches_a_device_from_its_profile(client, mixed):
    linked = slots(mixed)[2]
    profile = linked.profile
    response = press(client, editor_page(client, mixed), "Detach from profile", within=f"slot{linked.pk}")
    assert response.status_code == 302
    linked.refresh_from_db()
    assert linked.profile is None and linked.xml == TABLET
    profile.xml = "<input type='mouse' bus='usb'/>"
    profile.save()
    assert domain(mixed).find("devices/input").get("type") == "tablet"  # no longer follows
    doc = lxml.html.fromstring(editor_page(client, mixed))
    assert input_value(doc, f"id_slot{linked.pk}-type") == "tablet"  # now edited here


def test_it_saves_a_device_as_a_profile(client, mixed):
    disk = slots(mixed)[0]
    before = current_xml(mixed)
    response = press(
        client, editor_page(client, mixed), "Save as profile", within=f"slot{disk.pk}",
        edits={f"profile_name_{disk.pk}": "  Boot disk  "},
    )  # fmt: skip
    assert response.status_code == 302
    profile = DeviceProfile.objects.get(name="Boot disk")
    disk.refresh_from_db()
    assert disk.profile == profile and disk.xml == "" and profile.kind == "disk"
    assert current_xml(mixed) == before
    # Linked now: the profile's changes reach the template.
    profile.xml = profile.xml.replace("vda.qcow2", "renamed.qcow2")
    profile.save()
    assert domain(mixed).find("devices/disk/source").get("file") == "/var/lib/libvirt/images/renamed.qcow2"


def test_it_asks_for_a_profile_name(client, mixed):
    disk = slots(mixed)[0]
    response = press(client, editor_page(client, mixed), "Save as profile", within=f"slot{disk.pk}")
    assert response.status_code == 302
    assert DeviceProfile.objects.count() == 1
    assert "Give the new profile a name." in html_of(client.get(response["Location"])).text_content()


def test_it_saves_an_unknown_device_as_a_profile(client):
    template = services.import_domain(
        b"<domain type='kvm'><name>hub</name><memory>65536</memory><os><type>hvm</type></os>"
        b"<devices><hub type='usb'/></devices></domain>"
    ).template
    (hub,) = slots(template)
    press(
        client, editor_page(client, template), "Save as profile", within=f"slot{hub.pk}",
        edits={f"profile_name_{hub.pk}": "USB hub"},
    )  # fmt: skip
    profile = DeviceProfile.objects.get(name="USB hub")
    assert profile.kind == "hub"
    assert client.get(f"/profiles/{profile.pk}/").status_code == 200


def action_cases(template):
    """(button label, the slot it belongs to, extra typing, what must be true afterwards)."""
    disk, nic, tablet = slots(template)
    return {
        "add": ("Add device", None, {"device": "kind:serial"}, lambda r: device_tags(r)[-1] == "serial"),
        "move up": ("Move up", nic.pk, {}, lambda r: device_tags(r) == ["interface", "disk", "input"]),
        "move down": ("Move down", disk.pk, {}, lambda r: device_tags(r) == ["interface", "disk", "input"]),
        "remove": ("Remove", nic.pk, {}, lambda r: device_tags(r) == ["disk", "input"]),
        "detach": ("Detach from profile", tablet.pk, {}, lambda r: slots(template)[2].profile is None),
        "save as profile": (
            "Save as profile",
            disk.pk,
            {f"profile_name_{disk.pk}": "Mine"},
            lambda r: slots(template)[0].profile is not None,
        ),
        "parameters": (
            "Save parameters",
            None,
            {"param_name": "disk_path", "param_default": "/srv/d.img"},
            lambda r: (
                DomainTemplate.objects.get(pk=template.pk).parameters
                == [{"name": "disk_path", "default": "/srv/d.img"}]
            ),
        ),
    }


ACTIONS = ["add", "move up", "move down", "remove", "detach", "save as profile", "parameters"]


@pytest.mark.parametrize("action", ACTIONS)
def test_it_saves_pending_edits_before_a_device_action(client, mixed, action):
    label, sid, extra, done = action_cases(mixed)[action]
    disk = slots(mixed)[0]
    edits = {"resources-vcpu": "6", f"slot{disk.pk}-source_file": "/srv/pending.qcow2", **extra}
    response = press(client, editor_page(client, mixed), label, within=f"slot{sid}" if sid else None, edits=edits)
    assert response.status_code == 302
    root = domain(mixed)
    assert root.findtext("vcpu") == "6"
    assert root.find("devices/disk/source").get("file") == "/srv/pending.qcow2"
    assert done(root)
    if action == "save as profile":  # the profile is made from the device as edited
        assert "/srv/pending.qcow2" in DeviceProfile.objects.get(name="Mine").xml


@pytest.mark.parametrize("action", ACTIONS)
def test_it_refuses_a_device_action_when_a_pending_edit_is_invalid(client, mixed, action):
    label, sid, extra, _ = action_cases(mixed)[action]
    before, profiles = stored(mixed), DeviceProfile.objects.count()
    nic = slots(mixed)[1]
    edits = {"resources-memory": "lots", f"slot{nic.pk}-mac": MULTICAST, "resources-vcpu": "6", **extra}
    response = press(client, editor_page(client, mixed), label, within=f"slot{sid}" if sid else None, edits=edits)
    assert response.status_code == 422
    assert stored(mixed) == before and DeviceProfile.objects.count() == profiles
    doc = html_of(response)
    assert input_value(doc, "id_resources-memory") == "lots" and input_value(doc, "id_resources-vcpu") == "6"
    assert input_value(doc, f"id_slot{nic.pk}-mac") == MULTICAST
    assert text_of(doc, "err-resources-memory") == "'lots' is not a whole number"
    assert "Nothing was changed" in doc.text_content()


def test_it_refuses_device_urls_of_another_template(client, mixed, imported):
    other = slots(imported)[0]
    for action in ("move", "remove", "detach", "save-as-profile", "xml"):
        assert client.post(f"/templates/{mixed.pk}/devices/{other.pk}/{action}/").status_code == 404, action
    assert client.get(f"/templates/{mixed.pk}/devices/{other.pk}/xml/").status_code == 404


def test_it_only_acts_on_post(client, mixed):
    disk = slots(mixed)[0]
    for url in (f"devices/{disk.pk}/move/", f"devices/{disk.pk}/remove/", "devices/add/", "preview/"):
        assert client.get(f"/templates/{mixed.pk}/{url}").status_code == 405, url
    assert len(slots(mixed)) == 3


# -- raw XML ------------------------------------------------------------------------------


def raw_text(response) -> str:
    return html_of(response).get_element_by_id("xml").text_content()


def test_it_shows_the_whole_domain_as_raw_xml(client, mixed):
    response = client.get(f"/templates/{mixed.pk}/xml/")
    assert response.status_code == 200
    assert changes(current_xml(mixed), raw_text(response)) == []


def test_it_saves_raw_xml_and_keeps_unknown_elements_and_comments(client, mixed):
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/"))
    text = text.replace("<vcpu>2</vcpu>", "<vcpu>3</vcpu>\n  <!-- sized for the build farm -->\n  <mystery a='1'/>")
    text = text.replace("<interface", "<!-- the uplink -->\n    <interface")
    response = client.post(f"/templates/{mixed.pk}/xml/", {"xml": text})
    assert response.status_code == 302 and response["Location"] == f"/templates/{mixed.pk}/"
    xml = current_xml(mixed)
    assert changes(text, xml) == []
    root = tree(xml)
    assert root.find("mystery").get("a") == "1" and root.findtext("vcpu") == "3"
    comments = [c.text.strip() for c in root.iter(etree.Comment)]
    assert comments == ["sized for the build farm", "the uplink"]
    # The comment travels with its device, and the form still edits the rest.
    nic = slots(mixed)[1]
    assert nic.xml.startswith("<!-- the uplink -->")
    assert (
        client.post(f"/templates/{mixed.pk}/", changed(editor_form(client, mixed), {"resources-vcpu": "5"})).status_code
        == 302
    )
    root = domain(mixed)
    assert root.findtext("vcpu") == "5" and root.find("mystery") is not None
    assert [c.text.strip() for c in root.iter(etree.Comment)] == ["sized for the build farm", "the uplink"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<domain type='kvm'><name>x</name>", "the document is truncated or an element is not closed"),
        ("<network><name>x</name></network>", "the root element is <network>, not <domain>"),
        ("<!DOCTYPE domain [<!ENTITY x 'y'>]><domain><name>&x;</name></domain>", "DOCTYPE or entity declaration"),
        ("", "file is empty"),
    ],
)
def test_it_refuses_invalid_raw_xml_and_keeps_the_text(client, mixed, text, reason):
    before = stored(mixed)
    response = client.post(f"/templates/{mixed.pk}/xml/", {"xml": text})
    assert response.status_code == 422
    assert stored(mixed) == before
    doc = html_of(response)
    alert = " ".join(doc.find_class("problem")[0].text_content().split())
    assert alert.startswith("Not saved: ") and reason in alert and alert.endswith("Your text is below, unchanged.")
    assert raw_text(response) == text


def test_it_keeps_a_device_linked_while_it_is_still_its_profile(client, mixed):
    disk = DeviceProfile.objects.create(name="Shared disk", xml=DISK)
    editing.add_device(mixed, profile=disk)
    tablet = DeviceProfile.objects.get(name="Tablet")
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/"))
    text = text.replace("<vcpu>2</vcpu>", "<vcpu>4</vcpu>").replace("shared.qcow2", "changed.qcow2")
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    after = slots(mixed)
    assert [s.profile_id for s in after] == [None, None, tablet.pk, None]
    assert "changed.qcow2" in after[3].xml and after[2].xml == ""
    assert domain(mixed).findtext("vcpu") == "4"
    assert DeviceProfile.objects.get(pk=disk.pk).xml == DISK  # the profile itself is not changed


def test_it_keeps_links_when_the_raw_xml_is_saved_unchanged(client, mixed):
    profile = DeviceProfile.objects.create(name="Shared disk", xml=DISK)
    editing.add_device(mixed, profile=profile)
    before = stored(mixed)
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/"))
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    assert [s.profile_id for s in slots(mixed)] == [p for _, p, _ in before[3]]
    assert changes(text, current_xml(mixed)) == []


def test_it_edits_one_device_as_raw_xml(client, mixed):
    nic = slots(mixed)[1]
    response = client.get(f"/templates/{mixed.pk}/devices/{nic.pk}/xml/")
    assert response.status_code == 200 and raw_text(response) == nic.xml
    text = (
        "<!-- to the lab -->\n<interface type='bridge'>\n  <mac address='52:54:00:00:00:09'/>\n"
        "  <source bridge='br0'/>\n  <mystery/>\n</interface>"
    )
    response = client.post(f"/templates/{mixed.pk}/devices/{nic.pk}/xml/", {"xml": text})
    assert response.status_code == 302 and response["Location"] == f"/templates/{mixed.pk}/#slot{nic.pk}"
    root = domain(mixed)
    assert device_tags(root) == ["disk", "interface", "input"]
    node = root.find("devices/interface")
    assert node.get("type") == "bridge" and node.find("mystery") is not None
    assert node.getprevious().tag is etree.Comment and "to the lab" in node.getprevious().text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<interface type='bridge'>", "truncated"),
        ("<emulator>/usr/bin/qemu</emulator>", "<emulator> is not a device"),
        ("<!DOCTYPE x [<!ENTITY e 'boom'>]><disk>&e;</disk>", "DOCTYPE or entity declaration"),
    ],
)
def test_it_refuses_invalid_device_xml_and_keeps_the_text(client, mixed, text, reason):
    nic = slots(mixed)[1]
    before = stored(mixed)
    response = client.post(f"/templates/{mixed.pk}/devices/{nic.pk}/xml/", {"xml": text})
    assert response.status_code == 422 and stored(mixed) == before
    alert = " ".join(html_of(response).find_class("problem")[0].text_content().split())
    assert alert.startswith("Not saved: ") and reason in alert
    assert raw_text(response) == text


def test_it_detaches_a_linked_device_saved_as_raw_xml(client, mixed):
    linked = slots(mixed)[2]
    response = client.get(f"/templates/{mixed.pk}/devices/{linked.pk}/xml/")
    assert "linked to the profile Tablet" in " ".join(html_of(response).text_content().split())
    assert raw_text(response) == TABLET
    client.post(f"/templates/{mixed.pk}/devices/{linked.pk}/xml/", {"xml": "<input type='mouse' bus='usb'/>"})
    linked.refresh_from_db()
    assert linked.profile is None and changes(linked.xml, "<input type='mouse' bus='usb'/>") == []
    assert DeviceProfile.objects.get(name="Tablet").xml == TABLET


# -- parameters and rendering -------------------------------------------------------------


def rendered(response) -> etree._Element:
    pre = next(p for p in html_of(response).iter("pre") if p.get("aria-label") == "Rendered domain XML")
    return tree(pre.text_content())


@pytest.fixture
def parameterised(client, mixed):
    """disk_path declared with a default (through the editor's own form) and used in the disk's source."""
    response = press(
        client, editor_page(client, mixed), "Save parameters",
        edits={"param_name": "disk_path", "param_default": "/var/lib/libvirt/images/default.qcow2"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/templates/{mixed.pk}/#parameters"
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/"))
    text = re.sub(r"file='[^']*vda.qcow2'", "file='${disk_path}'", text)
    text = re.sub(r'file="[^"]*vda.qcow2"', 'file="${disk_path}"', text)
    assert "${disk_path}" in text
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    return mixed


def test_it_declares_parameters_from_the_editor(client, parameterised):
    parameterised.refresh_from_db()
    assert parameterised.parameters == [{"name": "disk_path", "default": "/var/lib/libvirt/images/default.qcow2"}]
    doc = lxml.html.fromstring(editor_page(client, parameterised))
    assert input_value(doc, "pn1") == "disk_path" and input_value(doc, "pd1") == "/var/lib/libvirt/images/default.qcow2"
    assert "Parameters used but not declared" not in doc.text_content()


def test_it_renders_a_parameter_given_or_its_default(client, parameterised):
    url = f"/templates/{parameterised.pk}/render/"
    response = client.get(url, {"p_disk_path": "/x.img"})
    assert response.status_code == 200
    assert rendered(response).find("devices/disk/source").get("file") == "/x.img"
    assert input_value(html_of(response), "p_disk_path") == "/x.img"
    default = rendered(client.get(url))
    assert default.find("devices/disk/source").get("file") == "/var/lib/libvirt/images/default.qcow2"
    assert domain(parameterised).find("devices/disk/source").get("file") == "${disk_path}"  # the template keeps it


def test_it_saves_the_form_of_a_template_that_uses_a_parameter(client, parameterised):
    disk = slots(parameterised)[0]
    doc = lxml.html.fromstring(editor_page(client, parameterised))
    assert input_value(doc, f"id_slot{disk.pk}-source_file") == "${disk_path}"
    edits = {"resources-vcpu": "3"}
    response = client.post(f"/templates/{parameterised.pk}/", changed(editor_form(client, parameterised), edits))
    assert response.status_code == 302
    root = domain(parameterised)
    assert root.findtext("vcpu") == "3" and root.find("devices/disk/source").get("file") == "${disk_path}"


def test_it_makes_a_uuid_and_macs_for_each_render(client, mixed):
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/"))
    text = re.sub(r"\s*<mac address=.[0-9a-f:]+./>", "", text)
    text = text.replace("<name>mixed</name>", "<name>mixed</name>\n  <uuid></uuid>")
    text = text.replace("</devices>", "<interface type='network'><source network='default'/></interface></devices>")
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    assert domain(mixed).find("devices/interface/mac") is None and domain(mixed).findtext("uuid") == ""
    first, second = (client.get(f"/templates/{mixed.pk}/render/") for _ in range(2))
    one, two = rendered(first), rendered(second)
    uuids = [r.findtext("uuid") for r in (one, two)]
    macs = [[m.get("address") for m in r.iterfind("devices/interface/mac")] for r in (one, two)]
    assert all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", u) for u in uuids)
    assert uuids[0] != uuids[1]
    assert all(len(m) == 2 and all(re.fullmatch(r"52:54:00(:[0-9a-f]{2}){3}", a) for a in m) for m in macs)
    assert len({*macs[0], *macs[1]}) == 4
    assert f"Made for this guest: uuid {uuids[0]}" in " ".join(html_of(first).text_content().split())
    assert errors_of(one) == []


def test_it_keeps_a_uuid_and_a_mac_the_template_gives(client, imported):
    root = rendered(client.get(f"/templates/{imported.pk}/render/"))
    assert root.findtext("uuid") == "20b3a909-805e-4170-8698-4be84f194736"
    assert root.find("devices/interface/mac").get("address") == "52:54:00:86:20:1c"


def test_it_reports_undeclared_parameters(client, parameterised):
    text = raw_text(client.get(f"/templates/{parameterised.pk}/xml/"))
    text = text.replace("<name>mixed</name>", "<name>${guest}</name>")
    assert client.post(f"/templates/{parameterised.pk}/xml/", {"xml": text}).status_code == 302
    doc = lxml.html.fromstring(editor_page(client, parameterised))
    assert "Parameters used but not declared: guest" in " ".join(doc.text_content().split())
    response = client.get(f"/templates/{parameterised.pk}/render/", {"p_disk_path": "/x.img"})
    page = " ".join(html_of(response).text_content().split())
    assert "No value for: guest (left as ${…})." in page
    assert rendered(response).findtext("name") == "${guest}"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("2disks", "")], "'2disks' is not a parameter name"),
        ([("disk-path", "")], "'disk-path' is not a parameter name"),
        ([("disk_path", "/a"), ("disk_path", "/b")], "'disk_path' is declared twice"),
    ],
)
def test_it_refuses_badly_named_parameters(client, mixed, rows, message):
    names, defaults = zip(*rows, strict=True)
    response = client.post(
        f"/templates/{mixed.pk}/parameters/", {"param_name": names, "param_default": defaults}, follow=True
    )
    assert message in " ".join(html_of(response).text_content().split())
    assert DomainTemplate.objects.get(pk=mixed.pk).parameters == []


def test_it_saves_parameters_posted_on_their_own(client, mixed):
    data = {"param_name": ["disk_path", "  net ", ""], "param_default": ["/a.img", "default", ""]}
    response = client.post(f"/templates/{mixed.pk}/parameters/", data)
    assert response.status_code == 302 and response["Location"] == f"/templates/{mixed.pk}/#parameters"
    assert DomainTemplate.objects.get(pk=mixed.pk).parameters == [
        {"name": "disk_path", "default": "/a.img"},
        {"name": "net", "default": "default"},
    ]


def test_it_refuses_badly_named_parameters_posted_with_the_editor_form(client, mixed):
    before = stored(mixed)
    edits = {"param_name": "9lives", "resources-vcpu": "5"}
    response = press(client, editor_page(client, mixed), "Save parameters", edits=edits)
    assert response.status_code == 422 and stored(mixed) == before
    doc = html_of(response)
    assert "'9lives' is not a parameter name" in text_of(doc, "err-")
    assert input_value(doc, "id_resources-vcpu") == "5"
    assert "9lives" in [el.get("value") for el in doc.iter("input") if el.get("name") == "param_name"]


def test_it_downloads_a_rendered_guest(client, parameterised):
    response = client.get(f"/templates/{parameterised.pk}/render/", {"p_disk_path": "/x.img", "download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="mixed.xml"'
    root = tree(response.content.decode())
    assert root.find("devices/disk/source").get("file") == "/x.img" and root.findtext("uuid")


def test_it_does_not_download_a_rendered_guest_that_would_be_refused(client, parameterised):
    url = f"/templates/{parameterised.pk}/render/"
    response = client.get(url, {"p_disk_path": "relative.img", "download": "1"})
    assert response.status_code == 200 and "Content-Disposition" not in response
    doc = html_of(response)
    assert "Not downloaded: this XML would not be accepted as it is" in " ".join(doc.text_content().split())
    anyway = next(a.get("href") for a in doc.iter("a") if a.text_content().strip() == "Download anyway")
    response = client.get(url + anyway)
    assert response["Content-Disposition"] == 'attachment; filename="mixed.xml"'
    assert tree(response.content.decode()).find("devices/disk/source").get("file") == "relative.img"


def test_it_keeps_a_double_dollar_as_one_literal_dollar(client, parameterised):
    text = raw_text(client.get(f"/templates/{parameterised.pk}/xml/"))
    text = text.replace(
        "<name>mixed</name>",
        "<name>mixed</name>\n  <description>costs $$5, not ${disk_path}; $${disk_path}</description>",
    )
    assert client.post(f"/templates/{parameterised.pk}/xml/", {"xml": text}).status_code == 302
    root = rendered(client.get(f"/templates/{parameterised.pk}/render/", {"p_disk_path": "/x.img"}))
    assert root.findtext("description") == "costs $5, not /x.img; ${disk_path}"
    assert "Parameters used but not declared" not in editor_page(client, parameterised)


def test_it_says_when_a_template_declares_no_parameters(client, mixed):
    response = client.get(f"/templates/{mixed.pk}/render/")
    assert "This template declares no parameters." in response.content.decode()


# -- download -----------------------------------------------------------------------------


def test_it_downloads_a_valid_template(client, mixed):
    response = client.get(f"/templates/{mixed.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="mixed.xml"'
    assert response.content.decode() == current_xml(mixed)


@pytest.fixture
def refused():
    bad = (
        b"<domain type='kvm'><name>refused</name><memory>65536</memory><os><type>hvm</type></os>"
        b"<devices><graphics type='vnc' bogus='1'/></devices></domain>"
    )
    return services.import_domain(bad).template


def test_it_explains_why_an_invalid_template_is_not_downloaded(client, refused):
    response = client.get(f"/templates/{refused.pk}/download/")
    assert response.status_code == 409 and "Content-Disposition" not in response
    doc = html_of(response)
    problems = [" ".join(li.text_content().split()) for li in doc.find_class("problem")]
    assert any(p.startswith("error /domain/devices/graphics") and "bogus" in p for p in problems), problems
    anyway = next(a.get("href") for a in doc.iter("a") if a.text_content().strip() == "Download anyway")
    response = client.get(anyway)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="refused.xml"'
    assert tree(response.content.decode()).find("devices/graphics").get("bogus") == "1"


def test_it_links_the_editor_to_the_download(client, mixed):
    doc = lxml.html.fromstring(editor_page(client, mixed))
    assert f"/templates/{mixed.pk}/download/" in [a.get("href") for a in doc.iter("a")]


# -- import -------------------------------------------------------------------------------

HOSTILE = (
    b"<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY boom 'BOOM'>]>\n<domain type='kvm'><name>&boom;</name></domain>"
)


def results(response) -> list[str]:
    doc = lxml.html.fromstring(response.content.decode())
    return [" ".join(li.text_content().split()) for li in doc.iter("li") if "result" in (li.get("class") or "")]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


def test_it_imports_several_files_and_pasted_xml_in_one_post(client):
    legacy = b"<domain type='xen'><name>old</name><memory>65536</memory><clock sync='localtime'/></domain>"
    files = [upload("bootorder-in.xml", BOOTORDER.read_bytes()), upload("old.xml", legacy), upload("evil.xml", HOSTILE)]
    pasted = "<domain type='kvm'><name>pasted-guest</name><memory>65536</memory></domain>"
    response = client.post("/import/", {"files": files, "pasted": pasted})
    assert response.status_code == 422  # one of them failed
    rows = results(response)
    assert len(rows) == 4
    assert rows[0].startswith("bootorder-in.xml: imported as f30")
    assert rows[1].startswith("old.xml: imported as old") and "warning: <clock sync='localtime'>" in rows[1]
    assert rows[2] == "evil.xml: error: a DOCTYPE or entity declaration is not allowed in domain XML"
    assert rows[3].startswith("pasted XML: imported as pasted-guest")
    assert sorted(DomainTemplate.objects.values_list("name", flat=True)) == ["f30", "old", "pasted-guest"]
    assert not DomainTemplate.objects.filter(xml__contains="BOOM").exists()
    links = [a.get("href") for a in html_of(response).get_element_by_id("import-results").iter("a")]
    assert links == [f"/templates/{t.pk}/" for t in DomainTemplate.objects.order_by("pk")]
    assert domain(DomainTemplate.objects.get(name="old")).find("clock").get("offset") == "localtime"


def test_it_imports_only_good_files_as_200(client):
    response = client.post("/import/", {"files": [upload("a.xml", BOOTORDER.read_bytes())]})
    assert response.status_code == 200 and len(results(response)) == 1


def test_it_says_when_there_is_nothing_to_import(client):
    response = client.post("/import/", {"pasted": "   "})
    assert response.status_code == 200 and results(response) == []
    assert "Nothing to import" in response.content.decode()
    assert not DomainTemplate.objects.exists()


def test_it_names_a_nameless_import_after_its_file(client):
    client.post("/import/", {"files": [upload("web server.xml", b"<domain type='kvm'><memory>1</memory></domain>")]})
    assert DomainTemplate.objects.get().name == "web server"


def test_it_imports_one_file_for_the_page_script(client):
    response = client.post("/import/file/", {"file": upload("bootorder-in.xml", BOOTORDER.read_bytes())})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page and "<form" not in page
    template = DomainTemplate.objects.get()
    [result] = results(response)
    # Imported, with the warnings every import gives about what reaches outside the guest.
    assert result.startswith(f"bootorder-in.xml: imported as {template.name} warning:")
    assert "reads a host file: the file /mnt/data/devel/images/f30.qcow2" in result
    assert "uses a host device: a host usb device passed through" in result
    assert html_of(response).find(".//a").get("href") == f"/templates/{template.pk}/"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (HOSTILE, "a DOCTYPE or entity declaration is not allowed in domain XML"),
        (b"<network/>", "the root element is <network>, not <domain>"),
        (b"", "file is empty"),
    ],
)
def test_it_answers_one_failed_file_with_its_error_row(client, data, reason):
    response = client.post("/import/file/", {"file": upload("bad.xml", data)})
    assert response.status_code == 422
    assert results(response) == [f"bad.xml: error: {reason}"]
    assert not DomainTemplate.objects.exists()


def test_it_asks_for_a_file(client):
    assert client.post("/import/file/", {}).status_code == 400
    assert client.get("/import/file/").status_code == 405


# -- profiles -----------------------------------------------------------------------------


def profile_form(client, profile) -> dict[str, list[str]]:
    doc = html_of(client.get(f"/profiles/{profile.pk}/"))
    return form_values(doc.find_class("editor-form")[0])


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
    root = services.render(template)
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


@pytest.fixture
def disk_profile():
    return DeviceProfile.objects.create(name="Shared disk", description="for all", xml=DISK)


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


def test_it_answers_404_for_unknown_things(client):
    for url in ("/templates/999/preview/", "/templates/999/xml/", "/profiles/999/", "/templates/999/render/"):
        method = client.post if url.endswith("preview/") else client.get
        assert method(url).status_code == 404, url


# -- added with the owner filter and parameters in fields ------------------------------------


def test_it_narrows_the_library_by_owner(client, library):
    from django.contrib.auth.models import User

    alice = User.objects.create_user("alice")
    DomainTemplate.objects.filter(name="db").update(owner=alice, visibility="everyone")
    DeviceProfile.objects.filter(name="LAN").update(owner=alice, visibility="everyone")
    doc = html_of(client.get("/", {"owner": "alice"}))
    assert listed(doc, "h-templates") == ["db"]
    assert listed(doc, "h-profiles") == ["LAN"]
    assert "alice" in [o.text for o in doc.get_element_by_id("owner").iter("option")]


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


def test_it_narrows_the_templates_by_the_kind_of_device_they_hold(client, mixed):
    editing.new_template("bare")
    doc = html_of(client.get("/", {"kind": "input"}))  # mixed links a tablet profile
    assert listed(doc, "h-templates") == ["mixed"]
    doc = html_of(client.get("/", {"kind": "disk"}))  # mixed has its own disk
    assert listed(doc, "h-templates") == ["mixed"]
    assert listed(html_of(client.get("/", {"kind": "graphics"})), "h-templates") == []


# -- found in review ---------------------------------------------------------------------------


def test_it_keeps_a_parameter_in_a_number_field_through_an_unrelated_save(client, mixed):
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/")).replace("<vcpu>2</vcpu>", "<vcpu>${cpus}</vcpu>")
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    doc = lxml.html.fromstring(editor_page(client, mixed))
    vcpu = doc.get_element_by_id("id_resources-vcpu")
    assert vcpu.get("type") == "text" and vcpu.get("inputmode") == "numeric" and vcpu.get("value") == "${cpus}"
    response = client.post(f"/templates/{mixed.pk}/", changed(editor_form(client, mixed), {"general-name": "mixed2"}))
    assert response.status_code == 302
    assert domain(mixed).findtext("vcpu") == "${cpus}"


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
    assert define(services.render_xml(mixed))


def test_it_does_not_block_a_save_on_a_field_that_no_longer_applies(client, mixed):
    disk = slots(mixed)[0]
    edits = {f"slot{disk.pk}-source_file": "relative.img", f"slot{disk.pk}-type": "block",
             f"slot{disk.pk}-source_dev": "/dev/vg0/x"}  # fmt: skip
    assert client.post(f"/templates/{mixed.pk}/", changed(editor_form(client, mixed), edits)).status_code == 302


def test_it_leaves_the_mac_out_of_a_profile_made_from_a_nic(client, mixed):
    nic = slots(mixed)[1]
    html = editor_page(client, mixed)
    response = press(
        client, html, "Save as profile", within=f"slot{nic.pk}", edits={f"profile_name_{nic.pk}": "Shared NIC"}
    )
    assert response.status_code == 302
    profile = DeviceProfile.objects.get(name="Shared NIC")
    assert "<mac" not in profile.xml
    page = client.get(response["Location"]).content.decode()
    assert "Left out of the profile, so each guest gets its own: MAC address" in page


def test_it_downloads_the_guest_the_render_page_showed(client, mixed):
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/"))
    text = re.sub(r"\s*<mac address=.[0-9a-f:]+./>", "", text)
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    doc = html_of(client.get(f"/templates/{mixed.pk}/render/"))
    form = doc.find_class("render-form")[0]
    shown = rendered_doc = tree(doc.find_class("xml")[0].text_content())
    data = form_values(form)
    data["download"] = ["1"]
    got = tree(client.get(f"/templates/{mixed.pk}/render/", data).content.decode())
    assert got.findtext("uuid") == shown.findtext("uuid")
    assert [m.get("address") for m in got.iterfind("devices/interface/mac")] == [
        m.get("address") for m in rendered_doc.iterfind("devices/interface/mac")
    ]


def test_it_downloads_a_parameterised_template_as_its_preview_checks_it(client, parameterised):
    response = client.get(f"/templates/{parameterised.pk}/download/")
    assert response.status_code == 200
    assert "/var/lib/libvirt/images/default.qcow2" in response.content.decode()


@pytest.mark.parametrize("name", ["a]]>b", "tab\there", "bell\x07"])
def test_it_never_fails_on_an_odd_new_template_name(client, name):
    response = client.post("/templates/new/", {"name": name})
    assert response.status_code == 302
    if "\x07" in name:
        assert not DomainTemplate.objects.exists()
    else:
        assert domain(DomainTemplate.objects.get()).findtext("name") == name


def test_it_refuses_a_control_character_in_a_field_without_failing(client, mixed):
    response = client.post(
        f"/templates/{mixed.pk}/preview/", changed(editor_form(client, mixed), {"general-name": "x\x01"})
    )
    assert response.status_code == 200
    assert "control character" in text_of(html_of(response), "err-general-name")


def test_it_ignores_a_malformed_device_choice(client, mixed):
    response = client.post(f"/templates/{mixed.pk}/devices/add/", {"device": "profile:abc"})
    assert response.status_code == 302


def test_it_shows_what_libvirt_would_say_about_a_profile(client):
    profile = DeviceProfile.objects.create(name="bare bridge", xml="<interface type='bridge'/>")
    page = client.get(f"/profiles/{profile.pk}/").content.decode()
    assert "libvirt would not take this device as it is" in page and "Host bridge" in page


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
