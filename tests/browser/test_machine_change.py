"""A person switches a guest with an IDE disk from pc to q35: the preview shows the disk move to
SATA with the reason, and saving keeps it."""

import pytest
from playwright.sync_api import expect

from builder.library import rendering, services

pytestmark = pytest.mark.django_db(transaction=True)

GUEST = b"""<domain type='kvm'>
  <name>old-pc-guest</name>
  <memory unit='MiB'>512</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/old.qcow2'/>
      <target dev='hda' bus='ide'/>
    </disk>
  </devices>
</domain>"""


def test_switching_to_q35_moves_the_ide_disk_to_sata_with_a_message(page, screenshot):
    template = services.import_domain(GUEST).template
    disk = template.slots.get()
    page.goto(f"{page.base}/templates/{template.pk}/")
    bus = page.locator(f"#id_slot{disk.pk}-target_bus")
    page.locator(f"#slot{disk.pk} summary").click()
    expect(bus).to_have_value("ide")

    page.locator("#section-boot").get_by_label("Machine type", exact=True).fill("q35")
    note = "IDE is not available on q35: the disk hda is now on SATA, as sda."
    expect(page.locator(".rederived")).to_contain_text(note)
    expect(page.locator(f"#err-slot{disk.pk}-target_bus")).to_contain_text(note)  # said at the field
    expect(page.locator("#xml-preview")).to_contain_text('bus="sata"')
    screenshot(page, "machine-change")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".msg.info")).to_contain_text(note)
    page.locator(f"#slot{disk.pk} summary").click()
    expect(page.locator(f"#id_slot{disk.pk}-target_bus")).to_have_value("sata")
    expect(page.locator(f"#id_slot{disk.pk}-target_dev")).to_have_value("sda")
    assert 'bus="sata"' in rendering.render_xml(template)
