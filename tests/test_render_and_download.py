"""The render page (a guest made from a template: parameters filled in, a uuid and MACs made) and the
downloads of a template and of a rendered guest, refused when libvirt would not take them."""

from __future__ import annotations

import re

import lxml.html
import pytest

from builder.library import services
from tests.editor_support import (
    current_xml,
    domain,
    editor_page,
    errors_of,
    html_of,
    input_value,
    raw_text,
    rendered,
    tree,
)
from tests.helpers import form_values

pytestmark = pytest.mark.django_db


# -- rendering a guest -----------------------------------------------------------------------------


def test_it_renders_a_parameter_given_or_its_default(client, parameterised):
    url = f"/templates/{parameterised.pk}/render/"
    response = client.get(url, {"p_disk_path": "/x.img"})
    assert response.status_code == 200
    assert rendered(response).find("devices/disk/source").get("file") == "/x.img"
    assert input_value(html_of(response), "p_disk_path") == "/x.img"
    default = rendered(client.get(url))
    assert default.find("devices/disk/source").get("file") == "/var/lib/libvirt/images/default.qcow2"
    assert domain(parameterised).find("devices/disk/source").get("file") == "${disk_path}"  # the template keeps it


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


# -- downloading a rendered guest ------------------------------------------------------------------


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


# -- downloading a template ------------------------------------------------------------------------


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


def test_it_downloads_a_parameterised_template_as_its_preview_checks_it(client, parameterised):
    response = client.get(f"/templates/{parameterised.pk}/download/")
    assert response.status_code == 200
    assert "/var/lib/libvirt/images/default.qcow2" in response.content.decode()
