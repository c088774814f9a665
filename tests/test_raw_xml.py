"""A template's whole domain as raw XML: shown, saved with unknown elements and comments kept, refused
with the text kept, and the devices still their profile kept linked."""

from __future__ import annotations

import pytest
from lxml import etree

from builder.library import editing
from builder.library.models import DeviceProfile
from tests.editor_support import (
    DISK,
    changed,
    changes,
    current_xml,
    domain,
    editor_form,
    html_of,
    raw_text,
    slots,
    stored,
    tree,
)

pytestmark = pytest.mark.django_db


# -- the whole domain as raw XML -------------------------------------------------------------------


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


# -- links to profiles through a raw save ----------------------------------------------------------


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
