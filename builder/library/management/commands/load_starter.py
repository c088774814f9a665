"""Load the starter library shipped with the project; running it again adds nothing twice."""

from pathlib import Path

from django.core.management.base import BaseCommand

from builder.domainxml.parse import parse_domain
from builder.library.models import DeviceProfile, DomainTemplate
from builder.library.services import import_domain

STARTER = Path(__file__).resolve().parents[2] / "starter"

# File name -> (profile name, description), in the project's own words.
PROFILES = {
    "virtio-disk.xml": ("Virtio disk (qcow2)", "A qcow2 image file on the fast paravirtual virtio bus."),
    "default-network-nic.xml": ("NIC on the default network", "libvirt's NAT network 'default' (192.168.122.0/24)."),
    "bridged-nic.xml": ("Bridged NIC (br0)", "Straight onto the LAN through the host bridge br0."),
    "vnc-console.xml": ("VNC display (local)", "VNC on a free port, listening on 127.0.0.1 only."),
    "serial-pty.xml": ("Serial console (pty)", "First serial port on a pseudo-terminal, for virsh console."),
    "usb-tablet.xml": ("USB tablet", "Absolute pointer, so the mouse follows a graphical console."),
}


class Command(BaseCommand):
    help = "Load the starter device profiles and templates (skips those already present)."

    def handle(self, *args, **opts):
        for filename, (name, description) in PROFILES.items():
            xml = (STARTER / "profiles" / filename).read_text()
            _, made = DeviceProfile.objects.get_or_create(name=name, defaults={"xml": xml, "description": description})
            self.stdout.write(f"{'added' if made else 'kept'} profile {name}")
        for path in sorted((STARTER / "templates").glob("*.xml")):
            data = path.read_bytes()
            name = parse_domain(data).root.findtext("name") or path.stem
            if DomainTemplate.objects.filter(name=name).exists():
                self.stdout.write(f"kept template {name}")
                continue
            import_domain(data, fallback_name=path.stem)
            self.stdout.write(f"added template {name}")
