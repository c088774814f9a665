"""The host matrix: hosts, their pushes and their policies, for who may do what with them.

A host open to the template's team (ops), and one open to another team (dev) only. Seven people:
the template matrix's six (the `world` fixture, tests/permission_support.py) less the owner, plus
a superuser and a host admin (in no team). Each cell does the action through the pages and checks
the host (libvirt's test driver) or the database afterwards.
"""

from __future__ import annotations

import contextlib

import libvirt
import pytest
from django.contrib.auth import get_user_model

from builder.library import services
from builder.library.models import Team
from tests.permission_support import client_for

pytestmark = pytest.mark.django_db


HOST_ACTORS = ["superuser", "host_admin", "team_admin", "team_editor", "team_viewer", "other_team", "anonymous"]
HOST_KINDS = ["open", "closed"]
HOST_ACTIONS = ["view", "refresh", "push", "start", "stop", "undefine", "drift", "edit_policy"]
IN_OPS = {"team_admin", "team_editor", "team_viewer"}
EDITS_OPS = {"team_admin", "team_editor"}


def host_allowed(actor: str, kind: str, action: str) -> bool:
    if actor == "superuser":  # everything but pushing a template they may not edit (another's, in ops)
        return action != "push"
    if actor == "anonymous":
        return False
    if actor == "host_admin":
        return action in ("view", "refresh", "edit_policy")
    members = IN_OPS if kind == "open" else {"other_team"}
    if action == "view":
        return actor in members
    if action == "refresh":  # editor rights in a team the host is open to (other_team admins dev)
        return actor in (EDITS_OPS if kind == "open" else {"other_team"})
    if action == "edit_policy":
        return False
    return kind == "open" and actor in EDITS_OPS  # push and the pushed domain: editors of the template's team


def sees_host(actor: str, kind: str) -> bool:
    return host_allowed(actor, kind, "view")


@pytest.fixture
def host_world(world, test_driver):
    from builder.hosts.models import Deployment, Host

    users = world["users"]
    users["superuser"] = get_user_model().objects.create_superuser("root", password=None)
    users["host_admin"] = get_user_model().objects.create_user("host_admin")
    dev = Team.objects.get(name="dev")
    hosts = {"open": Host.objects.create(name="open-host", uri="test:///default")}
    hosts["closed"] = Host.objects.create(name="closed-host", uri="test:///default")
    hosts["open"].teams.add(world["team"])
    hosts["closed"].teams.add(dev)
    for h in hosts.values():
        h.admins.add(users["host_admin"])
    template = services.import_domain(HOST_GUEST.encode(), owner=users["owner"]).template
    template.team, template.visibility = world["team"], "everyone"  # all may see it: refusals are the host's
    template.save()
    yield {**world, "hosts": hosts, "template": template}
    for d in Deployment.objects.filter(ok=True):
        with contextlib.suppress(libvirt.libvirtError):
            test_driver.lookupByUUIDString(d.domain_uuid).undefine()


HOST_GUEST = (
    "<domain type='test'><name>dbtest-perm</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os><devices/></domain>"
)


def _state(test_driver, uuid: str) -> str:
    try:
        dom = test_driver.lookupByUUIDString(uuid)
    except libvirt.libvirtError:
        return "gone"
    return "running" if dom.isActive() else "shut off"


def host_attempt(hw, actor: str, kind: str, action: str, test_driver) -> tuple[int, bool]:
    from builder.hosts import push as pushing
    from builder.hosts.models import Deployment, HostCapabilities, HostPolicy

    host, template = hw["hosts"][kind], hw["template"]
    client = client_for(hw, actor)
    name = f"dbtest-perm-{actor}-{kind}-{action}"
    if action == "view":
        r = client.get(f"/hosts/{host.pk}/")
        return r.status_code, r.status_code == 200 and host.name.encode() in r.content
    if action == "refresh":
        r = client.post(f"/hosts/{host.pk}/refresh/")
        return r.status_code, HostCapabilities.objects.filter(host=host).exclude(capabilities="").exists()
    if action == "push":
        r = client.post(f"/templates/{template.pk}/push/", {"host": host.pk, "define": "1", "name": name})
        return r.status_code, Deployment.objects.filter(domain_name=name, ok=True).exists()
    if action == "edit_policy":
        data = {"host-name": host.name, "host-uri": host.uri, "policy-trusted": "on"}
        if actor == "superuser":
            data["host-admins"] = [hw["users"]["host_admin"].pk]
        r = client.post(f"/hosts/{host.pk}/edit/", data)
        return r.status_code, HostPolicy.objects.filter(host=host, trusted=True).exists()
    # The pushed domain's actions: a push made beforehand by the superuser.
    d = pushing.push(template, host, hw["users"]["superuser"], start=action == "stop", values={"name": name})
    assert d.ok, d.error
    op = {"start": "start", "stop": "destroy", "undefine": "undefine", "drift": "drift"}[action]
    url = f"/deployments/{d.pk}/drift/" if op == "drift" else f"/deployments/{d.pk}/{op}/"
    r = client.post(url)
    state = _state(test_driver, d.domain_uuid)
    happened = {
        "start": state == "running",
        "stop": state == "shut off",
        "undefine": state == "gone",
        "drift": r.status_code == 200 and b"No drift" in r.content,
    }[action]
    return r.status_code, happened


def host_refusal(actor: str, kind: str, action: str) -> int:
    if actor == "anonymous":
        return 302
    if action == "push":
        return 403  # the template is everyone's to see; the host is not theirs to push to
    return 403 if sees_host(actor, kind) else 404


HOST_CELLS = [(a, k, x) for a in HOST_ACTORS for k in HOST_KINDS for x in HOST_ACTIONS]


@pytest.mark.parametrize(("actor", "kind", "action"), HOST_CELLS, ids=["-".join(c) for c in HOST_CELLS])
def test_host_permission_matrix(host_world, test_driver, actor, kind, action):
    status, happened = host_attempt(host_world, actor, kind, action, test_driver)
    if host_allowed(actor, kind, action):
        assert happened, f"{actor} may {action} on the {kind} host (status {status})"
        assert status in (200, 302)
    else:
        assert not happened, f"{actor} may not {action} on the {kind} host, yet it happened"
        assert status == host_refusal(actor, kind, action), status


def test_the_host_matrix_covers_every_cell():
    assert len(HOST_CELLS) == 7 * 2 * 8 == 112
