"""The qemu_uri fixture end to end: a real QEMU (TCG) guest defined, started, destroyed, undefined."""

import contextlib
import uuid
from pathlib import Path

from lxml import etree


def test_qemu_guest_runs(qemu_uri):
    import libvirt

    name = f"dbtest-{uuid.uuid4()}"
    log = Path(f"/tmp/{name}.log")
    xml = f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <serial type='file'><source path='{log}'/></serial>
    <!-- no <graphics>: headless -->
  </devices>
</domain>"""
    conn = libvirt.open(qemu_uri)
    dom = None
    try:
        dom = conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
        dom.create()
        assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
        live = etree.fromstring(dom.XMLDesc())
        assert live.get("type") == "qemu"
        assert live.findtext("name") == name
        assert live.find("devices/serial/source").get("path") == str(log)
        dom.destroy()
        assert dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF
        dom.undefine()
        dom = None
        assert name not in {d.name() for d in conn.listAllDomains()}
    finally:
        if dom is not None:
            with contextlib.suppress(libvirt.libvirtError):
                dom.destroy()
            with contextlib.suppress(libvirt.libvirtError):
                dom.undefine()
        conn.close()
        log.unlink(missing_ok=True)
