"""The HTTP API under /api/v1/: token auth, what each user may see, rendering, import.

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
from lxml import etree

from builder.api.models import ApiToken
from builder.library import editing, publishing, rendering, services
from builder.library.models import DeviceSlot, DomainTemplate, Membership, Team, TemplateRevision
from tests.helpers import STARTER
from tests.hostile_support import HOSTILE

pytestmark = pytest.mark.django_db

User = get_user_model()
API = "/api/v1"

# A small guest libvirt accepts once its parameters are filled in.
GUEST = """<domain type='kvm'>
  <name>${guest}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='${disk_path}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'><source network='default'/></interface>
  </devices>
</domain>
"""
PARAMETERS = [("guest", ""), ("disk_path", "/var/lib/libvirt/images/default.qcow2")]


def make_user(name: str):
    return User.objects.create_user(name)


def token_for(user, name: str = "test") -> str:
    return ApiToken.issue(user, name)[1]


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def make_template(owner, xml: str = GUEST, name: str = "guest", visibility: str = "private", team=None, params=None):
    template = services.import_domain(xml.encode(), owner=owner).template
    template.name, template.visibility, template.team = name, visibility, team
    template.save()
    if params is not None:
        assert editing.set_parameters(template, params) == []
    return template


@pytest.fixture
def ada():
    return make_user("ada")


@pytest.fixture
def bea():
    return make_user("bea")


@pytest.fixture
def ada_token(ada):
    return token_for(ada)


@pytest.fixture
def guest(ada):
    return make_template(ada, params=PARAMETERS)


def get(client, url: str, token: str, **params):
    return client.get(API + url, params, **auth(token))


# -- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "", "Token", "Token ", "Bearer abc", "abc", "Basic YWRhOnB3", "Token not-a-real-token"],
    ids=["missing", "empty", "scheme-only", "scheme-and-space", "bearer", "bare", "basic", "bad-token"],
)
def test_it_answers_401_json_without_a_valid_token(client, ada_token, guest, header):
    # `client` is logged in as the superuser "tester": a session is not a way into the API.
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    for url in ("/templates/", f"/templates/{guest.pk}/", f"/templates/{guest.pk}/domain.xml?guest=x"):
        response = client.get(API + url, **extra)
        assert response.status_code == 401, url
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"], url
        assert response["WWW-Authenticate"] == "Token"
    response = client.post(API + "/templates/import", GUEST, content_type="application/xml", **extra)
    assert response.status_code == 401
    assert DomainTemplate.objects.count() == 1


@pytest.mark.anonymous
def test_an_anonymous_visitor_gets_401_json_not_the_login_page(client, guest):
    response = client.get(f"{API}/templates/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication needed: send 'Authorization: Token TOKEN'."}


@pytest.mark.anonymous
def test_it_answers_401_rather_than_the_setup_page_while_no_user_exists(client):
    assert not User.objects.exists()
    response = client.get(f"{API}/templates/", HTTP_AUTHORIZATION="Token whatever")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_revoked_token_gets_401(client, ada, guest):
    token, plaintext = ApiToken.issue(ada, "soon gone")
    assert get(client, "/templates/", plaintext).status_code == 200
    token.revoke()
    response = get(client, "/templates/", plaintext)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_an_inactive_users_token_gets_401(client, ada, ada_token):
    ada.is_active = False
    ada.save()
    assert get(client, "/templates/", ada_token).status_code == 401


def test_it_records_when_a_token_was_last_used(client, ada, ada_token):
    token = ApiToken.objects.get(user=ada)
    assert token.last_used is None
    get(client, "/templates/", ada_token)
    token.refresh_from_db()
    assert token.last_used is not None


# -- listing and detail -------------------------------------------------------------------------


def test_it_lists_only_the_templates_the_user_may_see(client, ada, bea, ada_token):
    team = Team.objects.create(name="ops")
    Membership.objects.create(team=team, user=ada)
    mine = make_template(ada, name="mine")
    bea_private = make_template(bea, name="bea-private")
    bea_public = make_template(bea, name="bea-public", visibility="everyone")
    bea_team = make_template(bea, name="bea-team", visibility="team", team=team)
    other_team = Team.objects.create(name="elsewhere")
    bea_other_team = make_template(bea, name="bea-other-team", visibility="team", team=other_team)
    installation = make_template(None, name="installation")

    response = get(client, "/templates/", ada_token)

    assert response.status_code == 200
    items = response.json()
    assert sorted(i["name"] for i in items) == ["bea-public", "bea-team", "installation", "mine"]
    ids = {i["id"] for i in items}
    assert {bea_private.pk, bea_other_team.pk}.isdisjoint(ids)
    assert {mine.pk, bea_public.pk, bea_team.pk, installation.pk} == ids
    # ... and bea's own token sees her private one but not ada's.
    names = {i["name"] for i in get(client, "/templates/", token_for(bea)).json()}
    assert "bea-private" in names and "mine" not in names


def test_it_describes_each_template(client, ada, ada_token, guest):
    team = Team.objects.create(name="ops")
    guest.team = team
    guest.save()

    item = get(client, f"/templates/{guest.pk}/", ada_token).json()

    assert set(item) == {
        "id", "name", "description", "owner", "team", "visibility", "domain_type", "vcpus", "memory_kib",
        "parameters", "latest_revision", "published_revision", "updated",
    }  # fmt: skip
    assert item["id"] == guest.pk and item["name"] == "guest"
    assert (item["owner"], item["team"], item["visibility"]) == ("ada", "ops", "private")
    assert (item["domain_type"], item["vcpus"], item["memory_kib"]) == ("kvm", 2, 512 * 1024)
    assert item["parameters"] == [{"name": n, "default": d} for n, d in PARAMETERS]
    assert item["latest_revision"] == TemplateRevision.objects.filter(template=guest).count() >= 1
    assert item["published_revision"] is None
    assert get(client, "/templates/", ada_token).json() == [item]


def test_an_installation_template_has_no_owner_or_team(client, ada_token):
    template = make_template(None, name="shared")
    item = get(client, f"/templates/{template.pk}/", ada_token).json()
    assert (item["owner"], item["team"]) == (None, None)


def test_someone_elses_private_template_is_not_found_like_a_missing_one(client, bea, ada_token):
    theirs = make_template(bea, name="secret", params=PARAMETERS)
    missing = theirs.pk + 1000
    for url in (f"/templates/{theirs.pk}/", f"/templates/{theirs.pk}/domain.xml?guest=x"):
        response = get(client, url, ada_token)
        gone = get(client, url.replace(str(theirs.pk), str(missing)), ada_token)
        assert response.status_code == gone.status_code == 404
        assert response.json() == gone.json()
        assert "secret" not in response.content.decode()


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


# -- import -------------------------------------------------------------------------------------


def post_xml(client, token: str, data: bytes, content_type: str = "application/xml", **extra):
    # CONTENT_TYPE too: the test client leaves it out when the body is empty.
    extra = {"CONTENT_TYPE": content_type, **auth(token), **extra}
    return client.post(f"{API}/templates/import", data, content_type=content_type, **extra)


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
