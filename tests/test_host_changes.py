"""builder.hosts.changes on real libvirt: XML defined on its test driver, classified as libvirt gives it back.

What libvirt added or normalised is expected, what it dropped or changed is a problem. The matching
rules themselves, on hand-written QEMU-style documents, are in tests/test_host_change_rules.py.
"""

from __future__ import annotations

import contextlib
import itertools

import libvirt
import pytest

from builder.hosts.changes import classify
from tests.host_support import change_paths as _paths

_names = itertools.count(1)


@pytest.fixture(scope="module")
def conn():
    libvirt.registerErrorHandler(lambda *a: None, None)
    c = libvirt.open("test:///default")
    yield c
    c.close()


@pytest.fixture
def define(conn):
    """Define on the test driver (validated unless told otherwise) and return XMLDesc(INACTIVE)."""
    made = []

    def _define(xml: str, validate: bool = True) -> str:
        dom = conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE if validate else 0)
        made.append(dom)
        return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)

    yield _define
    for dom in made:
        with contextlib.suppress(libvirt.libvirtError):
            dom.undefine()


def _name() -> str:
    return f"changes-{next(_names)}"


# --- real libvirt (test driver) -------------------------------------------------------------------


def test_plain_guest_has_no_problems_and_lists_what_libvirt_added(define):
    sent = f"""<domain type='test'>
  <!-- written by hand -->
  <name>{_name()}</name>
  <memory unit='MiB'>512</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/tmp/a.img'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='/tmp/a.iso'/><target dev='sda'/></disk>
    <interface type='network'><source network='default'/><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <graphics type='vnc' listen='127.0.0.1'/>
  </devices>
</domain>"""
    result = classify(sent, define(sent))

    assert result.problems == []
    added = _paths(result.expected, "added")
    assert {
        "/domain/uuid",
        "/domain/currentMemory",
        "/domain/devices/interface[1]/mac",
        "/domain/devices/console[1]",
        "/domain/devices/video[1]",
        "/domain/devices/controller[1]",  # the scsi controller for sda
        "/domain/devices/disk[2]/target/@bus",
        "/domain/devices/disk[2]/readonly",
        "/domain/devices/disk[2]/address",
        "/domain/devices/graphics[1]/listen",
    } <= added
    mac = next(c for c in result.expected if c.path == "/domain/devices/interface[1]/mac")
    assert "52:54:00:" in mac.text
    memory = next(c for c in result.expected if c.path == "/domain/memory")
    assert memory.kind == "normalised"
    assert "512 MiB" in memory.text and "524288 KiB" in memory.text
    # Comments are one note, not a loss.
    notes = [c for c in result.expected if "comment" in c.text]
    assert len(notes) == 1 and "not part of the domain" in notes[0].text


def test_test_driver_drops_and_changes_are_problems_even_with_validation(define):
    # Observed on the test driver with VIR_DOMAIN_DEFINE_VALIDATE: it keeps only the first element
    # of a metadata namespace, drops a qemu:commandline (no QEMU namespace handler), and replaces
    # a fixed VNC port with -1 when autoport='yes'.
    sent = f"""<domain type='test' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>{_name()}</name>
  <metadata>
    <app:first xmlns:app='urn:example:app'>1</app:first>
    <app:second xmlns:app='urn:example:app'>2</app:second>
  </metadata>
  <memory unit='MiB'>256</memory>
  <os><type>hvm</type></os>
  <devices><graphics type='vnc' port='5901' autoport='yes'/></devices>
  <qemu:commandline><qemu:arg value='-no-hpet'/></qemu:commandline>
</domain>"""
    result = classify(sent, define(sent))

    assert {(c.kind, c.path) for c in result.problems} == {
        ("dropped", "/domain/metadata/app:second"),
        ("dropped", "/domain/qemu:commandline"),
        ("changed", "/domain/devices/graphics[1]/@port"),
    }
    port = next(c for c in result.problems if c.kind == "changed")
    assert "'5901'" in port.text and "'-1'" in port.text
    # The metadata element it kept is not reported.
    assert not any("app:first" in c.path for c in result.problems + result.expected)


def test_unknown_markup_is_dropped_silently_without_validation(define):
    sent = f"""<domain type='test'>
  <name>{_name()}</name>
  <memory>262144</memory>
  <bogus>1</bogus>
  <os><type>hvm</type></os>
  <features><acpi foo='1'/></features>
  <devices>
    <disk type='file' device='disk' foo='bar'><source file='/tmp/a.img'/><target dev='vda'/></disk>
  </devices>
</domain>"""
    result = classify(sent, define(sent, validate=False))

    assert {(c.kind, c.path) for c in result.problems} == {
        ("dropped", "/domain/bogus"),
        ("dropped", "/domain/features/acpi/@foo"),
        ("dropped", "/domain/devices/disk[1]/@foo"),
    }
    # A size already in KiB with the unit left out is not a change at all.
    assert "/domain/memory" not in _paths(result.expected)


def test_test_driver_rewrites_that_keep_the_meaning_are_normalised(define):
    sent = f"""<domain type='test'>
  <name>{_name()}</name>
  <memory unit='GiB'>1</memory>
  <vcpu cpuset='0,1'>2</vcpu>
  <os><type>hvm</type></os>
  <clock offset='localtime' adjustment='10'/>
  <devices><interface type='user'><mac address='52:54:00:AA:BB:CC'/></interface></devices>
</domain>"""
    result = classify(sent, define(sent))

    assert result.problems == []
    normalised = _paths(result.expected, "normalised")
    assert {
        "/domain/memory",
        "/domain/vcpu/@cpuset",
        "/domain/clock",
        "/domain/devices/interface[1]/mac/@address",
    } <= normalised
