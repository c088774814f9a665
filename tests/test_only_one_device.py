"""Device kinds a domain has at most one of: declared on the declaration, asked by "Add device"."""

import pytest

from builder.domainxml.element import Device
from builder.domainxml.elements import DEVICES, Disk, Memballoon, Watchdog


def test_every_device_kind_says_whether_a_domain_may_have_several():
    assert Device.only_one is False
    assert {tag for tag, cls in DEVICES.items() if cls.only_one} == {"watchdog", "memballoon"}


def test_a_second_device_of_a_kind_that_allows_one_may_not_be_added():
    assert Watchdog.may_add(["disk", "interface"])
    assert not Watchdog.may_add(["disk", "watchdog"])
    assert not Memballoon.may_add(("memballoon",))
    assert Disk.may_add(["disk", "disk", "watchdog"])


@pytest.mark.django_db
def test_the_devices_panel_offers_and_adds_no_second_watchdog(client):
    from builder.library import rendering, services

    xml = (
        b"<domain type='kvm'><name>w</name><memory>131072</memory><os><type>hvm</type></os>"
        b"<devices><watchdog model='i6300esb' action='reset'/></devices></domain>"
    )
    template = services.import_domain(xml).template
    page = client.get(f"/templates/{template.pk}/").content.decode()
    assert 'value="kind:watchdog"' not in page and 'value="kind:disk"' in page
    client.post(f"/templates/{template.pk}/devices/add/", {"device": "kind:watchdog"})
    tags = [n.tag for n in rendering.device_nodes(rendering.render(template))]
    assert tags.count("watchdog") == 1
    client.post(f"/templates/{template.pk}/devices/add/", {"device": "kind:disk"})
    assert [n.tag for n in rendering.device_nodes(rendering.render(template))].count("disk") == 1
