"""The first pages: the library list, a template's XML with its validation, the download."""

import pytest
from lxml import etree

from builder.library.models import DeviceProfile, DomainTemplate
from builder.library.services import import_domain
from tests.helpers import SHARED

pytestmark = pytest.mark.django_db


def test_it_lists_templates_and_profiles(client, imported):
    DeviceProfile.objects.create(name="Bridged NIC", xml="<interface type='bridge'><source bridge='br0'/></interface>")
    page = client.get("/").content.decode()
    assert imported.name in page and "Bridged NIC" in page and "Download XML" in page


def test_it_shows_the_xml_and_the_validation_result(client, imported):
    page = client.get(f"/templates/{imported.pk}/").content.decode()
    assert "&lt;domain" in page
    assert "Valid against libvirt" in page and 'class="problem' not in page


def test_it_shows_problems_next_to_their_path(client):
    bad = (
        b"<domain type='kvm'><name>bad</name><memory>1</memory>"
        b"<devices><graphics type='vnc' bogus='1'/></devices></domain>"
    )
    template = import_domain(bad).template
    page = client.get(f"/templates/{template.pk}/").content.decode()
    assert "/domain/devices/graphics" in page and "bogus" in page


def test_it_downloads_name_xml(client, imported):
    response = client.get(f"/templates/{imported.pk}/download/")
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{imported.name}.xml"'
    original = etree.parse(str(SHARED / "corpus/virt-manager/xmlparse/bootorder-in.xml")).getroot()
    assert etree.fromstring(response.content).findtext("name") == original.findtext("name")


def test_it_answers_404_for_an_unknown_template(client):
    assert client.get("/templates/999/").status_code == 404
    assert client.get("/templates/999/download/").status_code == 404


def test_it_makes_a_safe_file_name(client):
    t = DomainTemplate.objects.create(name="t", xml="<domain type='kvm'><name>a \"b\"/../c</name></domain>")
    assert client.get(f"/templates/{t.pk}/download/")["Content-Disposition"] == 'attachment; filename="a__b__.._c.xml"'
