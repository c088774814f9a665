"""Guests belong to the push that made them: nobody takes over, changes or removes a domain on a
shared host that the builder did not define for a push they may manage.

The takeover as it was found: Blue pushes a private template; Red, who cannot see it, pushes XML
with the same name, reads the uuid from libvirt's refusal, pushes again with that uuid (libvirt
then redefines Blue's domain) and undefines it through Red's own push. Here on libvirt's test
driver; tests/test_push_qemu.py does the same on a real libvirtd with QEMU.
"""

from __future__ import annotations

import contextlib
import uuid

import libvirt
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from builder.hosts import push as pushing
from builder.hosts.models import Deployment, Host
from builder.library import services
from builder.library.models import Membership, Team

pytestmark = pytest.mark.django_db

# The domain libvirt's test driver starts with: another tool's guest, as far as the builder knows.
FOREIGN_NAME, FOREIGN_UUID = "test", "6695eb01-f6a4-8304-79aa-97f2502e193f"


def guest(name: str, pinned: str = "", memory: int = 128) -> bytes:
    uuid_el = f"<uuid>{pinned}</uuid>" if pinned else ""
    return (
        f"<domain type='test'><name>{name}</name>{uuid_el}<memory unit='MiB'>{memory}</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os><devices/></domain>"
    ).encode()


@pytest.fixture
def shared(test_driver):
    """Teams Red and Blue, an admin in each, and one host open to both."""
    make = get_user_model().objects.create_user
    people = {n: make(n) for n in ("blue_admin", "red_admin")}
    teams = {n: Team.objects.create(name=n) for n in ("blue", "red")}
    Membership.objects.create(team=teams["blue"], user=people["blue_admin"], role="admin")
    Membership.objects.create(team=teams["red"], user=people["red_admin"], role="admin")
    host = Host.objects.create(name="shared", uri="test:///default")
    host.teams.add(*teams.values())
    yield people, teams, host
    for d in Deployment.objects.filter(host=host).exclude(domain_uuid=FOREIGN_UUID):
        with contextlib.suppress(libvirt.libvirtError):  # never defined, or undefined by the test
            test_driver.lookupByUUIDString(d.domain_uuid).undefine()


def as_(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def import_as(client: Client, xml: bytes):
    r = client.post("/import/", {"pasted": xml.decode()})
    assert r.status_code in (200, 302)
    from builder.library.models import DomainTemplate

    return DomainTemplate.objects.order_by("-pk").first()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def test_another_teams_guest_cannot_be_taken_over_by_name_or_uuid(shared, test_driver):
    people, _, host = shared
    secret_name = unique("blue-secret-vm")
    blue = as_(people["blue_admin"])
    template = services.import_domain(guest(secret_name), owner=people["blue_admin"]).template  # private
    blue.post(f"/templates/{template.pk}/push/", {"host": host.pk, "start": "1"})
    theirs = Deployment.objects.get(template=template)
    assert theirs.ok, theirs.error
    before = test_driver.lookupByUUIDString(theirs.domain_uuid).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)

    red = as_(people["red_admin"])
    same_name = import_as(red, guest(secret_name, memory=256))
    red.post(f"/templates/{same_name.pk}/push/", {"host": host.pk, "define": "1"})
    by_name = Deployment.objects.get(template=same_name)
    assert not by_name.ok and "already exists on this host" in by_name.error
    for told in (theirs.domain_uuid, "blue_admin", "blue"):  # the refusal names neither uuid nor owner
        assert told not in by_name.error.replace("blue-secret-vm", ""), told

    same_uuid = import_as(red, guest(unique("red-vm"), pinned=theirs.domain_uuid, memory=256))
    red.post(f"/templates/{same_uuid.pk}/push/", {"host": host.pk, "define": "1"})
    by_uuid = Deployment.objects.get(template=same_uuid)
    assert not by_uuid.ok and "<uuid> belongs to a domain on this host" in by_uuid.error
    assert theirs.domain_uuid not in by_uuid.error

    # Red's failed push names Blue's uuid in its record, but owns nothing: undefining through it fails.
    assert by_uuid.domain_uuid == theirs.domain_uuid
    red.post(f"/deployments/{by_uuid.pk}/undefine/")
    red.post(f"/deployments/{by_uuid.pk}/destroy/")
    dom = test_driver.lookupByUUIDString(theirs.domain_uuid)
    assert dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) == before and dom.isActive()
    # Red does not see Blue's push at all.
    assert red.get(f"/deployments/{theirs.pk}/").status_code == 404
    assert red.post(f"/deployments/{theirs.pk}/undefine/").status_code == 404


def test_a_domain_the_builder_did_not_make_is_never_redefined(shared, test_driver, client):
    _, _, host = shared
    # Even a superuser (the client's tester) may not: adopting another tool's guest is its own act.
    for xml in (guest(FOREIGN_NAME), guest(unique("x"), pinned=FOREIGN_UUID)):
        template = services.import_domain(xml).template
        client.post(f"/templates/{template.pk}/push/", {"host": host.pk, "define": "1"})
        d = Deployment.objects.get(template=template)
        assert not d.ok and "not made by a push you may manage" in d.error
    assert test_driver.lookupByUUIDString(FOREIGN_UUID).name() == FOREIGN_NAME
    assert test_driver.lookupByName(FOREIGN_NAME).maxMemory() != 128 * 1024  # unchanged


def test_ones_own_guest_is_redefined_in_place(shared, test_driver):
    people, teams, host = shared
    pinned = str(uuid.uuid4())
    template = services.import_domain(guest(unique("blue-web"), pinned=pinned), owner=people["blue_admin"]).template
    template.team, template.visibility = teams["blue"], "team"
    template.save()
    first = pushing.push(template, host, people["blue_admin"])
    second = pushing.push(template, host, people["blue_admin"])
    assert first.ok and second.ok and first.domain_uuid == second.domain_uuid == pinned
    # The older push owns nothing now: acting through it is refused, through the newer one it works.
    assert not pushing.act(first, "start").ok
    assert pushing.act(second, "start").ok
    assert pushing.act(second, "undefine").ok  # running guests are undefined as transient: still there
    first.refresh_from_db()
    assert first.undefined is not None  # every record of that uuid is closed


def test_an_undefined_push_acts_no_more_even_when_its_uuid_returns(shared, test_driver, client):
    _, _, host = shared
    pinned = str(uuid.uuid4())
    template = services.import_domain(guest(unique("gone"), pinned=pinned)).template
    d = pushing.push(template, host, get_user_model().objects.create_superuser("root", password=None))
    assert d.ok and pushing.act(d, "undefine").ok
    # Someone else defines a domain with that uuid outside the builder.
    test_driver.defineXML(guest(unique("outside"), pinned=pinned).decode())
    assert not pushing.act(d, "start").ok
    assert not test_driver.lookupByUUIDString(pinned).isActive()
    test_driver.lookupByUUIDString(pinned).undefine()
