"""The import page (several files and pasted XML in one post) and /import/file/ (one file, for the
page's script): a row per file, imported or refused with its reason."""

from __future__ import annotations

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from builder.library.models import DomainTemplate
from tests.editor_support import (
    BOOTORDER,
    domain,
    html_of,
)

pytestmark = pytest.mark.django_db


# -- the import page -------------------------------------------------------------------------------


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


# -- one file for the page's script ----------------------------------------------------------------


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
