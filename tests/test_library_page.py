"""The library page: every template and profile listed and counted, narrowed by search, kind and owner."""

from __future__ import annotations

import lxml.html
import pytest

from builder.library import editing
from builder.library.models import DeviceProfile, DomainTemplate
from tests.editor_support import (
    DISK,
    html_of,
    input_value,
    text_of,
)

pytestmark = pytest.mark.django_db


# -- the library and its counts --------------------------------------------------------------------


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


# -- narrowing the library -------------------------------------------------------------------------


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


def test_it_narrows_the_library_by_owner(client, library):
    from django.contrib.auth.models import User

    alice = User.objects.create_user("alice")
    DomainTemplate.objects.filter(name="db").update(owner=alice, visibility="everyone")
    DeviceProfile.objects.filter(name="LAN").update(owner=alice, visibility="everyone")
    doc = html_of(client.get("/", {"owner": "alice"}))
    assert listed(doc, "h-templates") == ["db"]
    assert listed(doc, "h-profiles") == ["LAN"]
    assert "alice" in [o.text for o in doc.get_element_by_id("owner").iter("option")]


def test_it_narrows_the_templates_by_the_kind_of_device_they_hold(client, mixed):
    editing.new_template("bare")
    doc = html_of(client.get("/", {"kind": "input"}))  # mixed links a tablet profile
    assert listed(doc, "h-templates") == ["mixed"]
    doc = html_of(client.get("/", {"kind": "disk"}))  # mixed has its own disk
    assert listed(doc, "h-templates") == ["mixed"]
    assert listed(html_of(client.get("/", {"kind": "graphics"})), "h-templates") == []
