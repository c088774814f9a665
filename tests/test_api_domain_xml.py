"""The HTTP API's domain.xml: rendering a template's guest with its parameters, at a revision.

Requests carry `Authorization: Token ...` of users made here; the `client` fixture's own session
(the superuser "tester") must not count for anything.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from lxml import etree

from builder.library import editing, publishing, rendering, services
from tests.api_support import GUEST, PARAMETERS, get, make_template

pytestmark = pytest.mark.django_db

User = get_user_model()

# -- domain.xml ---------------------------------------------------------------------------------


def test_it_renders_a_guest_that_libvirt_accepts(client, ada_token, guest, define):
    response = get(client, f"/templates/{guest.pk}/domain.xml", ada_token, guest="vm7")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    text = response.content.decode()
    assert text.endswith("</domain>\n")
    root = etree.fromstring(response.content)
    assert root.findtext("name") == "vm7"
    assert root.find("devices/disk/source").get("file") == "/var/lib/libvirt/images/default.qcow2"
    assert root.findtext("uuid") and root.find("devices/interface/mac") is not None
    assert [p for p in services.check(root) if p.level == "error"] == []
    assert "<name>vm7</name>" in define(text)


def test_each_call_makes_a_new_uuid_and_mac(client, ada_token, guest):
    roots = [etree.fromstring(get(client, f"/templates/{guest.pk}/domain.xml", ada_token, guest="a").content)]
    roots.append(etree.fromstring(get(client, f"/templates/{guest.pk}/domain.xml", ada_token, guest="a").content))
    assert roots[0].findtext("uuid") != roots[1].findtext("uuid")
    macs = [r.find("devices/interface/mac").get("address") for r in roots]
    assert macs[0] != macs[1]


def test_it_fills_in_every_parameter_given(client, ada_token, guest):
    response = get(client, f"/templates/{guest.pk}/domain.xml", ada_token, guest="db1", disk_path="/srv/db1.qcow2")
    root = etree.fromstring(response.content)
    assert root.findtext("name") == "db1"
    assert root.find("devices/disk/source").get("file") == "/srv/db1.qcow2"


def test_a_parameter_without_a_value_is_422_with_json(client, ada_token, guest):
    response = get(client, f"/templates/{guest.pk}/domain.xml", ada_token)

    assert response.status_code == 422
    body = response.json()
    assert body["missing"] == ["guest"]
    assert any("guest" in e["message"] and e["level"] == "error" for e in body["errors"])
    assert all(set(e) == {"level", "path", "message"} for e in body["errors"])


def test_unknown_query_keys_are_422_naming_them(client, ada_token, guest):
    response = get(client, f"/templates/{guest.pk}/domain.xml", ada_token, guest="a", colour="red", size="xl")
    assert response.status_code == 422
    body = response.json()
    assert body["unknown"] == ["colour", "size"]
    assert [e["path"] for e in body["errors"]] == ["?colour", "?size"]


def test_name_sets_the_domain_name_when_the_template_declares_no_such_parameter(client, ada, ada_token):
    xml = GUEST.replace("${guest}", "base").replace("${disk_path}", "/var/lib/libvirt/images/base.qcow2")
    plain = make_template(ada, xml, name="plain", params=[])
    response = get(client, f"/templates/{plain.pk}/domain.xml", ada_token, name="web7")
    assert response.status_code == 200
    assert etree.fromstring(response.content).findtext("name") == "web7"
    refused = get(client, f"/templates/{plain.pk}/domain.xml", ada_token, name="a/b")
    assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == "?name"
    assert get(client, f"/templates/{plain.pk}/domain.xml", ada_token).content.count(b"<name>base</name>") == 1


def test_a_template_libvirt_would_refuse_is_422_with_the_schema_errors(client, ada, ada_token):
    bad = make_template(ada, GUEST.replace("<vcpu>2</vcpu>", "<vcpu>lots</vcpu>"), name="bad", params=PARAMETERS)

    response = get(client, f"/templates/{bad.pk}/domain.xml", ada_token, guest="vm1")

    assert response.status_code == 422
    body = response.json()
    assert body["missing"] == []
    assert body["errors"] and all(e["level"] == "error" for e in body["errors"])
    assert any("vcpu" in e["path"] for e in body["errors"]), body


def test_it_serves_the_published_revision_unless_asked_for_the_draft(client, ada, ada_token, guest):
    published = publishing.publish(guest, ada).number
    guest.refresh_from_db()
    draft = rendering.render_xml(guest).replace("<vcpu>2</vcpu>", "<vcpu>6</vcpu>")
    editing.replace_xml(guest, draft)
    url = f"/templates/{guest.pk}/domain.xml"

    def vcpus(**params):
        response = get(client, url, ada_token, guest="vm", **params)
        assert response.status_code == 200, response.content
        return etree.fromstring(response.content).findtext("vcpu")

    assert vcpus() == "2"
    assert vcpus(revision="published") == "2"
    assert vcpus(revision=str(published)) == "2"
    assert vcpus(revision="draft") == "6"
    item = get(client, f"/templates/{guest.pk}/", ada_token).json()
    assert item["published_revision"] == published < item["latest_revision"]


def test_a_template_never_published_renders_its_draft(client, ada_token, guest):
    assert guest.published_id is None
    response = get(client, f"/templates/{guest.pk}/domain.xml", ada_token, guest="vm")
    assert response.status_code == 200


@pytest.mark.parametrize("revision", ["published", "999", "latest"])
def test_a_version_that_does_not_exist_is_404_json(client, ada_token, guest, revision):
    response = get(client, f"/templates/{guest.pk}/domain.xml", ada_token, guest="vm", revision=revision)
    assert response.status_code == 404
    assert response.json()["detail"]
