"""The editor's devices panel: add (a kind or a profile), move, remove, detach from a profile, save as a
profile, each saving the pending edits first; and one device's own XML page."""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree

from builder.domainxml.elements import DEVICES
from builder.library import rendering, services
from builder.library.models import DeviceProfile, DomainTemplate
from tests.editor_support import (
    DISK,
    MULTICAST,
    TABLET,
    changes,
    current_xml,
    device_tags,
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

pytestmark = pytest.mark.django_db


# -- adding a device -------------------------------------------------------------------------------


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
        first, second = rendering.device_nodes(root)
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


def test_it_ignores_a_malformed_device_choice(client, mixed):
    response = client.post(f"/templates/{mixed.pk}/devices/add/", {"device": "profile:abc"})
    assert response.status_code == 302


# -- moving, removing, detaching -------------------------------------------------------------------


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


# -- saving a device as a profile ------------------------------------------------------------------


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


# -- pending edits and the device URLs -------------------------------------------------------------


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


# -- one device as raw XML -------------------------------------------------------------------------


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
