"""Pushes that fail: refused connections, unknown drivers, rejected definitions, hosts that never answer.

Real connections throughout (a server on 127.0.0.1 that never answers for the timeouts); a failure
is a failed deployment in libvirt's words, the template unchanged, and no credential shown.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.contrib.auth import get_user_model

from builder.hosts import push as pushing
from builder.hosts.models import Deployment, Host
from builder.library import rendering, revisions, services
from tests.host_support import GUEST, as_
from tests.servers import SilentServer

pytestmark = pytest.mark.django_db


def _failed_push(client, template, uri):
    host = Host.objects.create(name="bad", uri=uri)
    before = (rendering.render_xml(template), revisions.latest_number(template))
    client.post(f"/templates/{template.pk}/push/", {"host": host.pk, "start": "1"})
    d = Deployment.objects.get(host=host)
    template.refresh_from_db()
    assert (rendering.render_xml(template), revisions.latest_number(template)) == before  # unchanged
    assert not d.ok and d.error
    return d


def test_a_refused_connection_is_a_failed_deployment_with_libvirts_words(client, template):
    d = _failed_push(client, template, "qemu+tcp://sasl@127.0.0.1:1/system")
    assert "Connection refused" in d.error or "connect" in d.error.lower()
    assert "Failed: " in client.get(f"/deployments/{d.pk}/").content.decode()


def test_an_unknown_driver_is_a_failed_deployment(client, template):
    d = _failed_push(client, template, "nosuchdriver:///x")
    # libvirt's words depend on whether a libvirtd runs (it would then be asked for the driver).
    assert "driver" in d.error.lower() or "connect" in d.error.lower()


def test_a_definition_libvirt_rejects_is_a_failed_deployment(client, test_host):
    bad = services.import_domain(GUEST.replace("<vcpu>1</vcpu>", "<vcpu>many</vcpu>").encode()).template
    client.post(f"/templates/{bad.pk}/push/", {"host": test_host.pk, "define": "1"})
    d = Deployment.objects.get()
    assert (not d.ok and "vcpu" in d.error.lower()) or "many" in d.error
    assert d.returned_xml == ""


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


def test_a_host_that_never_answers_times_out_after_the_setting(client, template, silent, settings):
    settings.LIBVIRT_TIMEOUT = 1.5
    start = time.monotonic()
    d = _failed_push(client, template, f"qemu+tcp://sasl@127.0.0.1:{silent.port}/system")
    took = time.monotonic() - start
    assert "did not answer within 1.5 s" in d.error
    assert 1.5 <= took < 6


@pytest.mark.django_db(transaction=True)
def test_a_slow_host_blocks_no_other_request(live_server, silent, settings):
    import urllib.request

    settings.LIBVIRT_TIMEOUT = 4
    user = get_user_model().objects.create_superuser("root", password=None)
    template = services.import_domain(GUEST.encode()).template
    host = Host.objects.create(name="silent", uri=f"qemu+tcp://sasl@127.0.0.1:{silent.port}/system")
    session = as_(user)
    cookie = session.cookies["sessionid"].value
    done = {}

    def slow_push():
        from django.db import connection

        try:
            pushing.push(template, host, user)
        finally:
            connection.close()  # this thread's own connection: left open, it keeps the test database in use
        done["at"] = time.monotonic()

    worker = threading.Thread(target=slow_push)
    worker.start()
    time.sleep(0.3)  # the push is waiting for the silent host now
    start = time.monotonic()
    req = urllib.request.Request(live_server.url + "/", headers={"Cookie": f"sessionid={cookie}"})
    with urllib.request.urlopen(req, timeout=3) as r:
        assert r.status == 200
    answered = time.monotonic()
    worker.join()
    assert answered - start < 2 and answered < done["at"]


def test_credentials_in_a_uri_never_reach_pages_logs_or_errors(client, template, caplog):
    secret_uri = "qemu+ssh://root:hunter2pw@127.0.0.1:1/system?keyfile=/root/.ssh/secret_key_file&no_verify=1"
    host = Host.objects.create(name="kvm-secret", uri=secret_uri)
    with caplog.at_level(logging.DEBUG):
        client.post(f"/templates/{template.pk}/push/", {"host": host.pk, "define": "1"})
    d = Deployment.objects.get()
    pages = [
        client.get("/hosts/").content,
        client.get(f"/hosts/{host.pk}/").content,
        client.get(f"/deployments/{d.pk}/").content,
        client.get(f"/templates/{template.pk}/push/").content,
    ]
    for text in [*(p.decode() for p in pages), d.error, caplog.text]:
        assert "hunter2pw" not in text and "secret_key_file" not in text
    assert "qemu+ssh://root@127.0.0.1:1/system" in pages[0].decode()
