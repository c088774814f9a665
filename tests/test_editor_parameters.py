"""Template parameters: declared in the editor, used as ${name} in the XML and in fields, refused when
badly named, reported when used but not declared, $$ kept as one literal dollar."""

from __future__ import annotations

import lxml.html
import pytest

from builder.library.models import DomainTemplate
from tests.editor_support import (
    changed,
    domain,
    editor_form,
    editor_page,
    html_of,
    input_value,
    press,
    raw_text,
    rendered,
    slots,
    stored,
    text_of,
)

pytestmark = pytest.mark.django_db


# -- declaring parameters --------------------------------------------------------------------------


def test_it_declares_parameters_from_the_editor(client, parameterised):
    parameterised.refresh_from_db()
    assert parameterised.parameters == [{"name": "disk_path", "default": "/var/lib/libvirt/images/default.qcow2"}]
    doc = lxml.html.fromstring(editor_page(client, parameterised))
    assert input_value(doc, "pn1") == "disk_path" and input_value(doc, "pd1") == "/var/lib/libvirt/images/default.qcow2"
    assert "Parameters used but not declared" not in doc.text_content()


def test_it_saves_parameters_posted_on_their_own(client, mixed):
    data = {"param_name": ["disk_path", "  net ", ""], "param_default": ["/a.img", "default", ""]}
    response = client.post(f"/templates/{mixed.pk}/parameters/", data)
    assert response.status_code == 302 and response["Location"] == f"/templates/{mixed.pk}/#parameters"
    assert DomainTemplate.objects.get(pk=mixed.pk).parameters == [
        {"name": "disk_path", "default": "/a.img"},
        {"name": "net", "default": "default"},
    ]


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


def test_it_refuses_badly_named_parameters_posted_with_the_editor_form(client, mixed):
    before = stored(mixed)
    edits = {"param_name": "9lives", "resources-vcpu": "5"}
    response = press(client, editor_page(client, mixed), "Save parameters", edits=edits)
    assert response.status_code == 422 and stored(mixed) == before
    doc = html_of(response)
    assert "'9lives' is not a parameter name" in text_of(doc, "err-")
    assert input_value(doc, "id_resources-vcpu") == "5"
    assert "9lives" in [el.get("value") for el in doc.iter("input") if el.get("name") == "param_name"]


# -- using parameters ------------------------------------------------------------------------------


def test_it_saves_the_form_of_a_template_that_uses_a_parameter(client, parameterised):
    disk = slots(parameterised)[0]
    doc = lxml.html.fromstring(editor_page(client, parameterised))
    assert input_value(doc, f"id_slot{disk.pk}-source_file") == "${disk_path}"
    edits = {"resources-vcpu": "3"}
    response = client.post(f"/templates/{parameterised.pk}/", changed(editor_form(client, parameterised), edits))
    assert response.status_code == 302
    root = domain(parameterised)
    assert root.findtext("vcpu") == "3" and root.find("devices/disk/source").get("file") == "${disk_path}"


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
