"""Messages at fields follow the typing: a value refused in the preview is said at its field, and
the message goes when the value is mended, while another field's message stays. (The preview
empties every field's box, then fills only those with messages.)"""

from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from builder.library import editing
from builder.library.models import DeviceProfile

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_message_comes_and_goes_with_the_value_in_the_template_editor(page):
    template = editing.new_template("typing-errors")
    page.goto(f"{page.base}/templates/{template.pk}/")
    memory = page.locator("#section-resources").get_by_label("Memory", exact=True)
    vcpus = page.locator("#section-resources").get_by_label("Virtual CPUs", exact=True)
    memory_errors = page.locator("#err-resources-memory")
    vcpu_errors = page.locator("#err-resources-vcpu")

    with page.expect_request(lambda r: r.url.endswith("/preview/")) as sent:
        memory.fill("lots")
    expect(memory_errors).to_have_text("'lots' is not a whole number")
    # Only the part typed in, named; the others are taken as stored.
    posted = parse_qs(sent.value.post_data)
    assert posted["partial"] == ["1"] and posted["changed_part"] == ["resources"]
    assert posted["resources-memory"] == ["lots"] and not any(k.startswith("general-") for k in posted)
    vcpus.fill("many")
    expect(vcpu_errors).to_contain_text("'many'")
    expect(memory_errors).to_have_text("'lots' is not a whole number")  # still wrong: still said

    memory.fill("2048")
    expect(memory_errors).to_have_text("")
    expect(vcpu_errors).to_contain_text("'many'")
    expect(memory_errors).to_have_attribute("aria-live", "polite")  # the box itself is kept
    expect(page.locator("#xml-preview")).to_contain_text('<memory unit="MiB">2048</memory>')

    vcpus.fill("3")
    expect(vcpu_errors).to_have_text("")
    expect(page.locator("#xml-preview")).to_contain_text("<vcpu>3</vcpu>")


def test_a_message_comes_and_goes_with_the_value_in_the_profile_editor(page):
    profile = DeviceProfile.objects.create(
        name="typing-disk",
        kind="disk",
        xml="<disk type='file' device='disk'><source file='/var/lib/libvirt/images/a.img'/>"
        "<target dev='vda' bus='virtio'/></disk>",
    )
    page.goto(f"{page.base}/profiles/{profile.pk}/")
    source = page.get_by_label("Image file", exact=True)
    errors = page.locator("#err-profile-source_file")

    source.fill("relative.img")
    expect(errors).to_contain_text("must be an absolute path")
    source.fill("/var/lib/libvirt/images/b.img")
    expect(errors).to_have_text("")
    expect(page.locator("#preview")).to_contain_text("/var/lib/libvirt/images/b.img")
