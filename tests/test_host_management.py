"""Hosts managed in the app: URIs from a short list with no secrets, the host and policy pages for
superusers and host admins, the Django admin's Hosts section, and one call per host at a time."""

from __future__ import annotations

import importlib
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from builder.hosts import client as host_client
from builder.hosts.models import Host, HostPolicy
from builder.hosts.uris import BadUri, check_uri
from builder.library.models import Membership, Team
from tests.servers import SilentServer

pytestmark = pytest.mark.django_db

ALLOWED = [
    "test:///default",
    "qemu:///system",
    "qemu:///session",
    "qemu+ssh://root@kvm1/system",
    "qemu+ssh://kvm1:2222/system",
    "qemu+tls://kvm2.example.org/system",
    "qemu+tls://kvm2.example.org/system?no_verify=1",
    "qemu+tcp://saslname@kvm3/system",
    "xen:///system",
    "lxc:///",
    "qemu+ssh://root@kvm1/system?mode=direct&proxy=native",
]
REFUSED = {
    "qemu+ext:///system?command=/bin/touch": "transport 'ext'",
    "qemu+ssh://root@kvm1/system?command=/bin/sh": "'command' is not allowed",
    "qemu+ssh://root@kvm1/system?netcat=/tmp/nc": "'netcat' is not allowed",
    "qemu+ssh://root@kvm1/system?keyfile=/root/.ssh/id": "'keyfile' is not allowed",
    "qemu+tls://kvm2/system?pkipath=/etc/x": "'pkipath' is not allowed",
    "qemu:///system?socket=/tmp/evil.sock": "'socket' is not allowed",
    "qemu+unix:///system": "transport 'unix'",
    "qemu+libssh2://root@kvm1/system": "transport 'libssh2'",
    "qemu+ssh://root:hunter2@kvm1/system": "a password",
    "qemu+tcp://kvm3/system": "SASL",
    "test:///etc/passwd": "only as test:///default",
    "test:///default?x=1": "only as test:///default",
    "vbox:///session": "driver 'vbox'",
    "qemu:///etc/shadow": "libvirt's own",
    "qemu://kvm1/system": "names no host",
    "qemu+ssh:///system": "needs a host name",
    "qemu+tls://kvm2/system?no_verify=yes": "no_verify may only be",
    "": "driver",
}


@pytest.mark.parametrize("uri", ALLOWED)
def test_the_uris_libvirt_connects_with_are_allowed(uri):
    check_uri(uri)


@pytest.mark.parametrize("uri", list(REFUSED), ids=[u or "(empty)" for u in REFUSED])
def test_uris_that_run_programs_name_files_or_hold_secrets_are_refused(uri):
    with pytest.raises(BadUri) as refused:
        check_uri(uri)
    assert REFUSED[uri] in str(refused.value)
    assert "hunter2" not in str(refused.value) and "/root/.ssh/id" not in str(refused.value)


def test_a_stored_uri_that_would_run_a_program_runs_nothing(client, tmp_path):
    """A row written before the check (or straight into the database) is refused at the call."""
    marker = tmp_path / "ran"
    host = Host.objects.create(name="ext", uri=f"qemu+ext:///system?command=/usr/bin/touch%20{marker}")
    client.post(f"/hosts/{host.pk}/refresh/")
    assert not marker.exists()
    page = client.get(f"/hosts/{host.pk}/").content.decode()
    assert "URI is not allowed" in page


def test_the_test_driver_with_a_file_path_shows_nothing_of_the_file(client):
    host = Host.objects.create(name="file", uri="test:///etc/passwd")
    client.post(f"/hosts/{host.pk}/refresh/")
    page = client.get(f"/hosts/{host.pk}/").content.decode()
    assert "root:x:0:0" not in page and "URI is not allowed" in page


# -- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def people():
    make = get_user_model().objects.create_user
    found = {n: make(n) for n in ("host_admin", "team_admin", "viewer")}
    ops = Team.objects.create(name="ops")
    Membership.objects.create(team=ops, user=found["team_admin"], role="admin")
    Membership.objects.create(team=ops, user=found["viewer"], role="viewer")
    return found, ops


def as_(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


HOST_FORM = {
    "host-name": "kvm1",
    "host-uri": "qemu+ssh://root@kvm1/system",
    "host-description": "rack 3",
    "policy-allowed_paths": "/srv/images",
    "policy-max_vcpus": "8",
}


def test_a_superuser_adds_a_host_with_its_teams_admins_and_policy(client, people):
    found, ops = people
    data = {
        **HOST_FORM,
        "host-teams": [ops.pk],
        "host-admins": [found["host_admin"].pk],
        "policy-allow_host_devices": "on",
    }
    r = client.post("/hosts/new/", data)
    host = Host.objects.get(name="kvm1")
    assert r.status_code == 302 and r["Location"] == f"/hosts/{host.pk}/"
    assert list(host.teams.all()) == [ops] and list(host.admins.all()) == [found["host_admin"]]
    assert (host.policy.paths, host.policy.max_vcpus, host.policy.allow_host_devices) == (["/srv/images"], 8, True)
    assert not host.policy.allow_block_devices and not host.policy.trusted
    page = client.get(f"/hosts/{host.pk}/").content.decode()
    assert "Host devices (hostdev, host input, TPM, smartcard): allowed" in page and "Block devices: refused" in page


def test_a_bad_uri_is_refused_at_the_field_and_nothing_is_saved(client):
    r = client.post("/hosts/new/", {**HOST_FORM, "host-uri": "qemu+ssh://root:pw123@kvm1/system?keyfile=/k"})
    assert r.status_code == 400 and not Host.objects.exists()
    page = r.content.decode()
    assert "a password in the URI" in page and 'id="err-host-uri"' in page
    assert "pw123" not in page.split('id="err-host-uri"')[1].split("</div>")[0]
    r = client.post("/hosts/new/", {**HOST_FORM, "policy-allowed_paths": "relative/dir"})
    assert r.status_code == 400 and "not an absolute path" in r.content.decode() and not Host.objects.exists()


def test_a_host_admin_changes_the_policy_but_appoints_no_one(people):
    found, _ = people
    host = Host.objects.create(name="kvm1", uri="qemu:///system")
    host.admins.add(found["host_admin"])
    admin = as_(found["host_admin"])
    assert admin.get(f"/hosts/{host.pk}/").status_code == 200  # seen without being in a team
    page = admin.get(f"/hosts/{host.pk}/edit/").content.decode()
    assert 'name="host-admins"' not in page and 'name="policy-trusted"' in page
    data = {**HOST_FORM, "host-uri": "qemu:///system", "policy-trusted": "on", "host-admins": [found["viewer"].pk]}
    assert admin.post(f"/hosts/{host.pk}/edit/", data).status_code == 302
    host.refresh_from_db()
    assert host.policy.trusted and list(host.admins.all()) == [found["host_admin"]]
    assert as_(found["host_admin"]).get("/hosts/new/").status_code == 403  # adding hosts: superusers only


def test_others_may_not_change_or_remove_a_host(people):
    found, ops = people
    host = Host.objects.create(name="kvm1", uri="qemu:///system")
    host.teams.add(ops)
    for who in ("team_admin", "viewer"):
        c = as_(found[who])
        assert c.get(f"/hosts/{host.pk}/").status_code == 200
        assert c.post(f"/hosts/{host.pk}/edit/", {**HOST_FORM, "policy-trusted": "on"}).status_code == 403
        assert c.post(f"/hosts/{host.pk}/remove/").status_code == 403
    outsider = as_(get_user_model().objects.create_user("outsider"))
    assert outsider.post(f"/hosts/{host.pk}/edit/", HOST_FORM).status_code == 404
    assert not HostPolicy.objects.filter(host=host, trusted=True).exists() and Host.objects.filter(pk=host.pk).exists()


def test_removing_a_host_asks_first_and_says_what_is_forgotten(client):
    host = Host.objects.create(name="kvm1", uri="test:///default")
    page = client.get(f"/hosts/{host.pk}/remove/").content.decode()
    assert "Nothing on the host changes" in page
    assert client.post(f"/hosts/{host.pk}/remove/").status_code == 302
    assert not Host.objects.exists()


def test_the_django_admin_has_hosts_and_checks_their_uris(client):
    assert client.get("/admin/hosts/host/").status_code == 200
    r = client.post(
        "/admin/hosts/host/add/",
        {
            "name": "evil",
            "uri": "qemu+ext:///system?command=/bin/sh",
            "description": "",
            "policy-TOTAL_FORMS": "1",
            "policy-INITIAL_FORMS": "0",
            "policy-MIN_NUM_FORMS": "0",
            "policy-MAX_NUM_FORMS": "1",
        },
    )
    assert r.status_code == 200 and "transport" in r.content.decode() and not Host.objects.exists()
    assert client.get("/admin/hosts/deployment/").status_code == 200


def test_stored_secrets_are_dropped_from_uris_by_the_migration():
    host = Host.objects.create(name="old", uri="qemu+ssh://root:hunter2@kvm1/system?keyfile=/root/.ssh/k")
    plain = Host.objects.create(name="plain", uri="qemu:///system")
    migration = importlib.import_module("builder.hosts.migrations.0002_ownership_policy_admins")
    migration.drop_secrets(apps, None)
    host.refresh_from_db()
    plain.refresh_from_db()
    assert host.uri == "qemu+ssh://root@kvm1/system" and "removed" in host.description
    assert plain.uri == "qemu:///system" and plain.description == ""


# -- one call per host --------------------------------------------------------------------------


def test_a_second_call_to_a_busy_host_is_answered_at_once(settings, tmp_path):
    settings.LIBVIRT_TIMEOUT = 3
    settings.HOST_LOCK_DIR = str(tmp_path / "locks")
    server = SilentServer()
    uri = f"qemu+tcp://sasl@127.0.0.1:{server.port}/system"
    answers = {}

    def first():
        try:
            host_client.call(uri, "capabilities")
        except host_client.HostError as e:
            answers["first"] = str(e)

    try:
        worker = threading.Thread(target=first)
        worker.start()
        time.sleep(0.5)  # the first call waits on the silent host now
        start = time.monotonic()
        with pytest.raises(host_client.HostError) as busy:
            host_client.call(uri, "states", uuids=["x"])
        assert time.monotonic() - start < 1
        assert "busy with another request" in str(busy.value)
        worker.join()
        assert "did not answer" in answers["first"]
        # Once it is over, the host may be called again (and times out again, as it is silent).
        with pytest.raises(host_client.HostError, match="did not answer"):
            host_client.call(uri, "states", uuids=["x"])
    finally:
        server.close()
    assert list(Path(settings.HOST_LOCK_DIR).iterdir())  # the lock lives in its own folder


def test_add_host_sets_a_new_hosts_policy_and_leaves_a_kept_ones_alone():
    from tests.helpers import run_command

    _, err, code = run_command("add_host", "sim", "test:///default", "--allowed-path", "/var/lib/libvirt/images")
    assert code == 0, err
    policy = Host.objects.get(name="sim").policy
    assert policy.paths == ["/var/lib/libvirt/images"] and not policy.trusted
    assert run_command("add_host", "sim", "test:///default", "--trusted")[2] == 0  # kept as its admins left it
    assert not HostPolicy.objects.get(host__name="sim").trusted
    assert run_command("add_host", "trusted", "qemu:///system", "--trusted")[2] == 0
    assert HostPolicy.objects.get(host__name="trusted").trusted
    _, err, code = run_command("add_host", "rel", "qemu:///session", "--allowed-path", "images")
    assert code == 1 and "not an absolute path" in err and not Host.objects.filter(name="rel").exists()
