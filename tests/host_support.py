"""What the host tests share: a guest the test driver defines, a logged-in client, a domain's state."""

from __future__ import annotations

from django.test import Client

from builder.hosts import client as host_client
from builder.hosts.changes import Change

GUEST = """<domain type='test'>
  <name>dbtest-web</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
  </devices>
</domain>
"""


def as_(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def host_state(host, uuid: str) -> str:
    return host_client.call(host, "states", uuids=[uuid])[uuid]["state"]


def change_paths(changes: list[Change], kind: str | None = None) -> set[str]:
    return {c.path for c in changes if kind is None or c.kind == kind}
