"""The HTTP API's import, its OpenAPI document and docs page, and domain.xml through a real server
into virsh.

Requests carry `Authorization: Token ...` of users made here; the `client` fixture's own session
(the superuser "tester") must not count for anything.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import Client

from builder.library.models import DeviceSlot, DomainTemplate, TemplateRevision
from tests.api_support import API, GUEST, PARAMETERS, get, make_template, make_user, post_xml, token_for
from tests.helpers import STARTER
from tests.hostile_support import HOSTILE

pytestmark = pytest.mark.django_db

User = get_user_model()

# -- import -------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml", "application/xml; charset=utf-8"])
def test_it_imports_a_domain_as_a_private_template_of_the_tokens_user(client, ada, ada_token, content_type):
    response = post_xml(client, ada_token, STARTER.read_bytes(), content_type)

    assert response.status_code == 201, response.content
    body = response.json()
    template = DomainTemplate.objects.get()
    assert body["id"] == template.pk and body["name"] == template.name == "fv0"
    assert isinstance(body["warnings"], list)
    assert (template.owner, template.visibility) == (ada, "private")
    assert DeviceSlot.objects.filter(template=template).exists()
    assert TemplateRevision.objects.get(template=template).author == ada
    # bea cannot see it; ada can.
    assert get(client, "/templates/", token_for(make_user("bea"))).json() == []
    assert get(client, f"/templates/{template.pk}/", ada_token).status_code == 200


def test_an_import_needs_no_csrf_token(ada_token):
    client = Client(enforce_csrf_checks=True)
    assert post_xml(client, ada_token, STARTER.read_bytes()).status_code == 201


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/x-www-form-urlencoded"])
def test_an_import_of_another_content_type_is_415(client, ada_token, content_type):
    response = post_xml(client, ada_token, STARTER.read_bytes(), content_type)
    assert response.status_code == 415
    assert response.json()["error"]
    assert not DomainTemplate.objects.exists()


def test_an_import_that_is_not_a_domain_is_400(client, ada_token):
    response = post_xml(client, ada_token, b"<network><name>default</name></network>")
    assert response.status_code == 400
    assert "<network>" in response.json()["error"]
    assert not DomainTemplate.objects.exists()


def test_an_import_over_the_limit_is_413_before_it_is_read(client, ada_token, settings):
    settings.MAX_XML_BYTES = 1000
    data = STARTER.read_bytes()
    assert len(data) > 1000
    response = post_xml(client, ada_token, data)
    assert response.status_code == 413
    assert response.json() == {"error": "the XML is larger than the limit of 1,000 bytes"}
    # A Content-Length that claims more than the limit is refused without reading the body.
    response = post_xml(client, ada_token, b"<domain/>", CONTENT_LENGTH="5000")
    assert response.status_code == 413
    assert not DomainTemplate.objects.exists()


@pytest.mark.parametrize(("make", "reason"), [(m, r) for _, m, r in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_it_refuses_hostile_xml_quickly_with_a_json_reason(client, ada_token, listener, make, reason):
    data = make(listener.url)

    start = time.perf_counter()
    response = post_xml(client, ada_token, data)
    elapsed = time.perf_counter() - start

    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    message = response.json()["error"]
    assert re.search(reason, message), message
    assert "Traceback" not in message and "FETCHED-FROM-THE-NETWORK" not in message
    assert "root:" not in message
    assert not DomainTemplate.objects.exists() and not DeviceSlot.objects.exists()
    assert listener.requests == []
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


# -- the OpenAPI document and the docs page -----------------------------------------------------


@pytest.mark.anonymous
def test_the_openapi_document_is_public_and_describes_the_endpoints(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert {"/api/v1/templates/", "/api/v1/templates/{template_id}/", "/api/v1/templates/import"} <= set(doc["paths"])
    assert "/api/v1/templates/{template_id}/domain.xml" in doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("name") == "Authorization" and s.get("in") == "header" for s in schemes.values())


def test_the_docs_page_loads_nothing_from_another_site(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content)
    urls = doc.xpath("//script/@src | //link/@href | //img/@src")
    assert urls and all(u.startswith("/static/") for u in urls), urls
    assert not re.search(rb"""(src|href)=["']?(https?:)?//""", response.content)
    settings_json = json.loads(doc.xpath("//script[@id='swagger-settings']")[0].text)
    assert settings_json["url"] == f"{API}/openapi.json"
    for url in urls:  # and they are there, among the static files
        assert finders.find(url.removeprefix("/static/")), url


@pytest.mark.anonymous
def test_the_docs_page_needs_a_login(client, ada):
    response = client.get(f"{API}/docs")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# -- through a real HTTP server, into virsh -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_curl_style_domain_xml_pipes_into_virsh_define(live_server):
    ada = make_user("ada")
    # The README's example: a parameter called "name".
    template = make_template(ada, GUEST.replace("${guest}", "${name}"), params=[("name", ""), PARAMETERS[1]])
    token = token_for(ada)
    request = urllib.request.Request(
        f"{live_server.url}{API}/templates/{template.pk}/domain.xml?name=web7",
        headers={"Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/xml")
        xml = response.read()

    result = subprocess.run(
        ["virsh", "-c", "test:///default", "define", "/dev/stdin"], input=xml, capture_output=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert b"defined" in result.stdout and b"web7" in result.stdout
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{live_server.url}{API}/templates/", timeout=30)
    assert e.value.code == 401
    assert json.loads(e.value.read())["detail"]
