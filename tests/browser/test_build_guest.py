"""A person builds the 2008 spec's example guest from an empty library, in Chromium."""

import re

import pytest
from lxml import etree
from playwright.sync_api import expect

from builder.domainxml.validate import load_schema, schema_problems, semantic_problems
from tests.helpers import SCHEMA_DIR

pytestmark = pytest.mark.django_db(transaction=True)


def preview(page):
    return page.locator("#xml-preview")


def set_value(scope, label, value, page, shows):
    """Fill or select a labelled control and wait until the live preview shows the result."""
    control = scope.get_by_label(label, exact=True)
    if control.evaluate("e => e.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)
    expect(preview(page)).to_contain_text(shows)


def add_device(page, kind_label):
    page.get_by_label("Device to add", exact=True).select_option(label=kind_label)
    page.get_by_role("button", name="Add device").click()
    expect(page.locator(".msg.success")).to_contain_text("Added")
    return page.locator(".device").last


def test_it_builds_the_2008_example_guest_from_an_empty_library(page, tmp_path):
    page.goto(page.base + "/")
    expect(page.get_by_text("No templates yet")).to_be_visible()
    page.get_by_label("Name of the new template").fill("fv0")
    page.get_by_role("button", name="New template").click()
    expect(page.get_by_role("heading", name="fv0")).to_be_visible()

    general = page.locator("#section-general")
    set_value(general, "Hypervisor type", "xen", page, 'domain type="xen"')
    res = page.locator("#section-resources")
    set_value(res, "Memory unit", "KiB", page, 'unit="KiB"')
    set_value(res, "Memory", "524288", page, ">524288</memory>")
    set_value(res, "Current memory", "524288", page, "524288</currentMemory>")
    set_value(res, "Virtual CPUs", "1", page, "<vcpu>1</vcpu>")
    boot = page.locator("#section-boot")
    set_value(boot, "Architecture", "", page, "<type>hvm</type>")
    set_value(boot, "Firmware loader", "/usr/lib/xen/boot/hvmloader", page, "hvmloader</loader>")
    features = page.locator("#section-features")
    features.get_by_label("PAE", exact=True).check()
    expect(preview(page)).to_contain_text("<pae/>")
    set_value(page.locator("#section-clock"), "Clock offset", "localtime", page, 'offset="localtime"')
    life = page.locator("#section-lifecycle")
    set_value(life, "On power off", "destroy", page, "<on_poweroff>destroy")
    set_value(life, "On reboot", "restart", page, "<on_reboot>restart")
    set_value(life, "On crash", "restart", page, "<on_crash>restart")
    set_value(page.locator("#section-emulator"), "Emulator", "/usr/lib/xen/bin/qemu-dm", page, "qemu-dm</emulator>")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".msg.success")).to_contain_text("Saved")

    disk = add_device(page, "Disk")
    set_value(disk, "Driver", "tap", page, 'name="tap"')
    set_value(disk, "Image format", "aio", page, 'type="aio"')
    set_value(disk, "Image file", "/var/lib/xen/images/fv0", page, 'file="/var/lib/xen/images/fv0"')
    set_value(disk, "Target device", "hda", page, 'dev="hda"')
    set_value(disk, "Bus", "ide", page, 'bus="ide"')

    nic = add_device(page, "Network interface")
    set_value(nic, "Connection", "bridge", page, 'interface type="bridge"')
    set_value(nic, "Host bridge", "xenbr0", page, 'bridge="xenbr0"')
    set_value(nic, "MAC address", "00:16:3e:5d:c7:9e", page, 'address="00:16:3e:5d:c7:9e"')
    set_value(nic, "Script", "vif-bridge", page, 'path="vif-bridge"')

    mouse = add_device(page, "Input device")
    set_value(mouse, "Type", "mouse", page, 'input type="mouse"')
    set_value(mouse, "Bus", "usb", page, 'type="mouse" bus="usb"')

    vnc = add_device(page, "Graphics")
    set_value(vnc, "Port", "-1", page, 'port="-1"')

    serial = add_device(page, "Serial port")
    set_value(serial, "Connected to", "tcp", page, 'serial type="tcp"')
    set_value(serial, "Mode", "connect", page, 'mode="connect"')
    set_value(serial, "Host", "127.0.0.1", page, 'host="127.0.0.1"')
    set_value(serial, "Port", "2445", page, 'service="2445"')
    set_value(serial, "Wire protocol", "telnet", page, 'protocol type="telnet"')
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".status")).to_contain_text("Valid against libvirt")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download XML").click()
    assert download.value.suggested_filename == "fv0.xml"
    path = tmp_path / "fv0.xml"
    download.value.save_as(path)
    root = etree.parse(str(path)).getroot()
    assert schema_problems(root, load_schema(SCHEMA_DIR)) == []
    assert [p for p in semantic_problems(root) if p.level == "error"] == []
    tags = [d.tag for d in root.find("devices")]
    assert tags == ["emulator", "disk", "interface", "input", "graphics", "serial"]
    assert root.find("devices/serial/protocol").get("type") == "telnet"


def test_it_adds_reorders_and_removes_devices_and_the_xml_follows(page):
    page.goto(page.base + "/")
    page.get_by_label("Name of the new template").fill("order")
    page.get_by_role("button", name="New template").click()
    for kind in ("Disk", "Network interface", "Serial port"):
        add_device(page, kind)

    def order():
        text = preview(page).inner_text()
        return re.findall(r"<(disk|interface|serial)\b", text)

    assert order() == ["disk", "interface", "serial"]
    # Keyboard only: focus the button and press Enter.
    page.locator(".device").nth(2).get_by_role("button", name="Move up").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".msg.success")).to_have_text("Moved the device up.")
    assert order() == ["disk", "serial", "interface"]
    page.locator(".device").nth(0).get_by_role("button", name="Move down").click()
    expect(page.locator(".msg.success")).to_have_text("Moved the device down.")
    assert order() == ["serial", "disk", "interface"]
    page.locator(".device").nth(2).get_by_role("button", name="Remove").click()
    expect(page.locator(".msg.success")).to_contain_text("Removed")
    assert order() == ["serial", "disk"]
