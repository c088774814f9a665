"""What the tests of the HTTP API share: a small guest with parameters, users, tokens, templates
and requests with a token (the users' fixtures are in conftest.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from builder.api.models import ApiToken
from builder.library import editing, services

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


def get(client, url: str, token: str, **params):
    return client.get(API + url, params, **auth(token))


def post_xml(client, token: str, data: bytes, content_type: str = "application/xml", **extra):
    # CONTENT_TYPE too: the test client leaves it out when the body is empty.
    extra = {"CONTENT_TYPE": content_type, **auth(token), **extra}
    return client.post(f"{API}/templates/import", data, content_type=content_type, **extra)
