"""End to end on a real libvirtd with the QEMU driver: a template built in the app's forms is pushed
with "Define and start", runs under TCG, is read back, shut off and undefined from the host page.

The `qemu_uri` fixture (tests/libvirtd.py) installs libvirt-daemon-system and qemu-system-x86
when missing, starts virtlogd and libvirtd, and stops the daemons it started at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from builder.hosts import client as host_client
from builder.hosts.changes import classify
from builder.hosts.models import Deployment, Host, HostPolicy
from builder.library import editing, services
from tests.editor_support import changed, editor_form

pytestmark = pytest.mark.django_db


def test_a_template_built_in_the_forms_runs_on_qemu_and_is_shut_off_and_undefined(client, qemu_uri, tmp_path):
    log = Path("/tmp") / f"dbtest-serial-{tmp_path.name}.log"
    template = editing.new_template("dbtest-e2e")
    # The forms: a TCG guest (type qemu), small, no disk.
    data = changed(
        editor_form(client, template), {"general-domain_type": "qemu", "resources-memory": "128", "resources-vcpu": "1"}
    )
    assert client.post(f"/templates/{template.pk}/", data).status_code == 302
    client.post(f"/templates/{template.pk}/devices/add/", {"device": "kind:serial"})
    serial = template.slots.get()
    data = changed(
        editor_form(client, template),
        {f"slot{serial.pk}-type": "file", f"slot{serial.pk}-source_path": str(log)},
    )
    assert client.post(f"/templates/{template.pk}/", data).status_code == 302
    host = Host.objects.create(name="qemu", uri=qemu_uri)
    HostPolicy.objects.create(host=host, allow_host_chardevs=True)  # the serial console writes a host file

    r = client.post(f"/templates/{template.pk}/push/", {"host": host.pk, "start": "1"})
    d = Deployment.objects.get()
    try:
        assert r.status_code == 302 and d.ok, d.error
        state = host_client.call(host, "states", uuids=[d.domain_uuid])[d.domain_uuid]["state"]
        assert state == "running"
        returned = etree.fromstring(d.returned_xml.encode())
        assert returned.get("type") == "qemu" and returned.findtext("uuid") == d.domain_uuid
        assert returned.find("devices/serial/source").get("path") == str(log)
        changes = classify(d.sent_xml, d.returned_xml)
        assert changes.problems == [], changes.problems  # nothing sent was dropped
        added = " ".join(f"{c.path} {c.text}" for c in changes.expected)
        # What QEMU's driver fills in: the machine type's full name, controllers, a balloon.
        assert "machine='pc-i440fx-" in added and "<controller type='pci'" in added and "<memballoon" in added
        page = client.get(f"/deployments/{d.pk}/").content.decode()
        assert "libvirt accepted it and started it" in page

        client.post(f"/deployments/{d.pk}/destroy/")
        assert host_client.call(host, "states", uuids=[d.domain_uuid])[d.domain_uuid]["state"] == "shut off"
    finally:
        client.post(f"/deployments/{d.pk}/destroy/")
        client.post(f"/deployments/{d.pk}/undefine/")
        log.unlink(missing_ok=True)
    assert host_client.call(host, "states", uuids=[d.domain_uuid])[d.domain_uuid]["state"] == "not on the host"
    d.refresh_from_db()
    assert d.undefined is not None


def test_a_guest_on_qemu_that_the_builder_did_not_make_cannot_be_taken_over(client, qemu_uri):
    """Another tool's (or another team's) guest on a real libvirtd: a push with its name or its
    uuid is refused before libvirt is asked to define, and the guest stays exactly as it was."""
    import uuid

    import libvirt

    name, pinned = f"dbtest-foreign-{uuid.uuid4().hex[:6]}", str(uuid.uuid4())
    xml = (
        f"<domain type='qemu'><name>{name}</name><uuid>{pinned}</uuid><memory unit='MiB'>64</memory>"
        "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices/></domain>"
    )
    conn = libvirt.open(qemu_uri)
    foreign = conn.defineXML(xml)
    before = foreign.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    host = Host.objects.create(name="qemu", uri=qemu_uri)
    try:
        for attempt, why in [
            (
                xml.replace(f"<uuid>{pinned}</uuid>", "").replace("'MiB'>64<", "'MiB'>256<"),
                "already exists on this host",
            ),
            (
                xml.replace(name, f"{name}-mine").replace("'MiB'>64<", "'MiB'>256<"),
                "<uuid> belongs to a domain on this host",
            ),
        ]:
            template = services.import_domain(attempt.encode()).template
            client.post(f"/templates/{template.pk}/push/", {"host": host.pk, "define": "1"})
            d = Deployment.objects.get(template=template)
            assert not d.ok and why in d.error and pinned not in d.error, d.error
            client.post(f"/deployments/{d.pk}/undefine/")  # owns nothing: refused
        assert conn.lookupByUUIDString(pinned).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) == before
        assert not _defined(conn, f"{name}-mine")
    finally:
        foreign.undefine()
        conn.close()


def _defined(conn, name: str) -> bool:
    import libvirt

    try:
        conn.lookupByName(name)
    except libvirt.libvirtError:
        return False
    return True
