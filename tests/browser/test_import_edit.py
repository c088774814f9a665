"""A person imports a real file, edits one field in the form and one in the raw XML, and downloads."""

import pytest
from lxml import etree
from playwright.sync_api import expect

from builder.domainxml.compare import differences
from tests.helpers import SHARED

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = SHARED / "corpus/virt-manager/xmlparse/bootorder-in.xml"


def test_it_imports_edits_and_downloads_with_nothing_else_changed(page, tmp_path, screenshot):
    page.goto(page.base + "/import/")
    page.get_by_label("XML files").set_input_files(str(SOURCE))
    page.get_by_role("button", name="Import").click()
    result = page.locator(".result").first
    expect(result).to_contain_text("imported as")
    result.get_by_role("link").click()

    vcpus = page.locator("#section-resources").get_by_label("Virtual CPUs", exact=True)
    vcpus.fill("7")
    expect(page.locator("#xml-preview")).to_contain_text(">7</vcpu>")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".msg.success")).to_contain_text("Saved")

    page.get_by_role("link", name="Raw XML").click()
    text = page.get_by_label("Domain XML").input_value()
    assert "<vcpu" in text and ">7</vcpu>" in text
    edited = text.replace("<on_poweroff>destroy</on_poweroff>", "<on_poweroff>preserve</on_poweroff>", 1)
    assert edited != text
    page.get_by_label("Domain XML").fill(edited)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".msg.success")).to_contain_text("Saved the XML")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download XML").click()
    path = tmp_path / "out.xml"
    download.value.save_as(path)
    changes = differences(etree.parse(str(SOURCE)).getroot(), etree.parse(str(path)).getroot())
    assert sorted(changes) == [
        "/domain/on_poweroff: text 'destroy' became 'preserve'",
        "/domain/vcpu: text '5' became '7'",
    ]


def test_it_keeps_the_typed_xml_when_it_is_broken(page):
    page.goto(page.base + "/")
    page.get_by_label("Name of the new template").fill("broken")
    page.get_by_role("button", name="New template").click()
    page.get_by_role("link", name="Raw XML").click()
    typed = "<domain type='kvm'><name>broken</name><memory>1024</memory>"
    page.get_by_label("Domain XML").fill(typed)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.get_by_label("Domain XML")).to_have_value(typed)


def test_it_imports_many_files_with_progress_and_a_result_for_each(page, tmp_path, screenshot):
    hostile = tmp_path / "xxe.xml"
    hostile.write_text('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain>&x;</domain>')
    files = [
        SHARED / "corpus/virt-manager/compare/virt-install-boot-uefi.xml",
        SHARED / "corpus/virt-manager/xmlparse/domain-roundtrip.xml",
        hostile,
    ]
    page.goto(page.base + "/import/")
    page.get_by_label("XML files").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".progress-text")).to_have_text("3 of 3 files, 1 failed")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "3")
    rows = page.locator(".result")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("warning:")  # unknown elements: kept, and said
    expect(rows.nth(2)).to_contain_text("error: a DOCTYPE or entity declaration is not allowed")
    assert "root:" not in page.content()
    screenshot(page, "import-result")
