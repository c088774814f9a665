"""Help from the spec: hover or focus a field to read libvirt's own words; Esc closes."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from builder.library.services import import_domain
from tests.helpers import SHARED

pytestmark = pytest.mark.django_db(transaction=True)

LIBVIRT_SPEC = "/usr/share/doc/libvirt-doc/html/formatdomain.html"


@pytest.fixture
def spec():
    call_command("import_spec_docs", LIBVIRT_SPEC, stdout=StringIO())


def test_it_shows_the_specs_text_on_hover_and_focus_and_closes_on_escape(page, spec, imported, screenshot):
    page.goto(f"{page.base}/templates/{imported.pk}/")
    uuid = page.locator("#section-general").get_by_label("UUID", exact=True)
    tip = page.locator("#tip-general-uuid")
    expect(tip).to_be_hidden()
    assert tip.get_attribute("id") in uuid.get_attribute("aria-describedby").split()

    page.get_by_role("button", name="Help: UUID").hover()
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("RFC 4122")  # libvirt's own description of <uuid>
    expect(tip).to_contain_text("Since 0.0.1")
    expect(tip.get_by_role("link", name="libvirt documentation")).to_have_attribute(
        "href", "https://libvirt.org/formatdomain.html#general-metadata"
    )
    page.mouse.move(5, 5)
    expect(tip).to_be_hidden()

    uuid.focus()  # keyboard focus opens it too
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()

    # Tab from the "?" into the tooltip's link: it stays open, so the link can be followed.
    page.get_by_role("button", name="Help: UUID").focus()
    page.keyboard.press("Tab")
    link = tip.get_by_role("link", name="libvirt documentation")
    expect(link).to_be_focused()
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()

    # For the README: the editor with a tooltip open.
    page.locator("#section-resources").get_by_label("Memory", exact=True).focus()
    expect(page.locator("#tip-resources-memory")).to_be_visible()
    screenshot(page, "editor-tooltip")


def test_it_says_when_the_help_is_the_projects_own_summary(page, imported):
    page.goto(f"{page.base}/templates/{imported.pk}/")  # no spec imported in this test
    page.get_by_role("button", name="Help: UUID").hover()
    tip = page.locator("#tip-general-uuid")
    expect(tip).to_contain_text("Summary written by Domain Builder")


def test_it_shows_the_library(page, imported, screenshot):
    import_domain((SHARED / "corpus/virt-manager/compare/virt-install-boot-uefi.xml").read_bytes())
    call_command("load_starter", stdout=StringIO())
    page.goto(page.base + "/")
    expect(page.get_by_role("heading", name="Templates")).to_be_visible()
    screenshot(page, "library")
    page.get_by_label("Search").fill("virtio")
    expect(page.locator("#h-templates .count")).to_have_text("0")
    # Profiles are listed by kind: the channel profile first, then the disks.
    expect(page.locator("#results tbody tr").filter(has_text="Virtio disk")).to_have_count(1)
