"""Load the starter library shipped with the project; running it again adds nothing twice.

Devices of a starter template that are the same as a starter profile are linked to it, so the
library shows from the start how templates share profiles.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from builder.domainxml.assemble import device_key
from builder.domainxml.parse import parse_domain
from builder.library import revisions
from builder.library.models import DeviceProfile, DomainTemplate
from builder.library.services import import_domain

STARTER = Path(__file__).resolve().parents[2] / "starter"

# File name -> (profile name, description), in the project's own words.
PROFILES = {
    "virtio-disk.xml": ("Virtio disk (qcow2)", "A qcow2 image file on the fast paravirtual virtio bus."),
    "sata-cdrom.xml": ("SATA CD-ROM", "An ISO image as a read-only CD drive on SATA, which q35 machines have."),
    "default-network-nic.xml": ("Virtio NIC on the default network", "libvirt's NAT network 'default'."),
    "bridged-nic.xml": ("Bridged virtio NIC (br0)", "Straight onto the LAN through the host bridge br0."),
    "spice-display.xml": ("SPICE display (local)", "SPICE on a free port, listening on 127.0.0.1 only."),
    "qxl-video.xml": ("QXL video", "The video card SPICE clients work best with."),
    "vnc-console.xml": ("VNC display (local)", "VNC on a free port, listening on 127.0.0.1 only."),
    "guest-agent-channel.xml": (
        "QEMU guest agent channel",
        "Lets the host ask the guest agent for addresses, clean shutdowns and file system freezes.",
    ),
    "virtio-rng.xml": ("Virtio RNG", "Feeds the guest's entropy pool from the host's /dev/urandom."),
    "tpm-2.xml": ("TPM 2.0 (emulated)", "A software TPM 2.0 (swtpm) on the CRB interface, as Windows 11 needs."),
    "serial-pty.xml": ("Serial console (pty)", "First serial port on a pseudo-terminal, for virsh console."),
    "usb-tablet.xml": ("USB tablet", "Absolute pointer, so the mouse follows a graphical console."),
}

IMAGES = "/var/lib/libvirt/images"
# Template file -> its parameters: each guest made from it names its own disk (and network).
VIRT_TYPE = {"name": "virt_type", "default": "kvm"}
PARAMETERS = {
    "linux-server.xml": [
        VIRT_TYPE,
        {"name": "disk_path", "default": f"{IMAGES}/linux-server.qcow2"},
        {"name": "network", "default": "default"},
    ],
    "windows-11.xml": [
        VIRT_TYPE,
        {"name": "disk_path", "default": f"{IMAGES}/windows-11.qcow2"},
        {"name": "install_iso", "default": f"{IMAGES}/windows-11.iso"},
        {"name": "network", "default": "default"},
    ],
    "minimal-headless.xml": [VIRT_TYPE, {"name": "disk_path", "default": f"{IMAGES}/minimal.qcow2"}],
}


class Command(BaseCommand):
    help = "Load the starter device profiles and templates (skips those already present)."

    @transaction.atomic
    def handle(self, *args, **opts):
        profiles = {}
        for filename, (name, description) in PROFILES.items():
            xml = (STARTER / "profiles" / filename).read_text()
            profile, made = DeviceProfile.objects.get_or_create(
                name=name, owner=None, defaults={"xml": xml, "description": description}
            )
            profiles.setdefault(device_key(profile.xml), profile)
            self.stdout.write(f"{'added' if made else 'kept'} profile {name}")
        for path in sorted((STARTER / "templates").glob("*.xml")):
            data = path.read_bytes()
            name = parse_domain(data).root.findtext("name") or path.stem
            if DomainTemplate.objects.filter(name=name, owner=None).exists():
                self.stdout.write(f"kept template {name}")
                continue
            template = import_domain(data, fallback_name=path.stem).template
            template.parameters = PARAMETERS.get(path.name, [])
            template.save(update_fields=["parameters", "updated"])
            for slot in template.slots.all():
                profile = profiles.get(device_key(slot.xml))
                if profile is not None:
                    slot.profile, slot.xml = profile, ""
                    slot.save(update_fields=["profile", "xml"])
            revisions.changed(template, message="Loaded from the starter library")
            self.stdout.write(f"added template {name}")
