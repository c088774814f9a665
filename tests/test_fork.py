"""Fork: a copy of a template in the requesting person's space, the original left as it is."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from lxml import etree

from builder.library import editing, rendering
from builder.library.models import DeviceProfile, DomainTemplate, TemplateRevision
from tests.editor_support import html_of
from tests.helpers import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(imported, tablet, disk_profile):
    template = imported
    template.description = "a guest to fork"
    template.save()
    editing.set_parameters(template, [("disk_path", "/var/lib/libvirt/images/a.qcow2")])
    editing.add_device(template, profile=tablet)
    editing.add_device(template, profile=disk_profile)
    editing.add_device(template, profile=tablet)
    return DomainTemplate.objects.get(pk=template.pk)


def slot_rows(template) -> list[tuple[int, int | None, str]]:
    return [(s.position, s.profile_id, s.xml) for s in rendering.slots_of(template)]


def without_name(xml: str) -> bytes:
    root = etree.fromstring(xml.encode())
    root.find("name").text = "-"
    return etree.tostring(root, method="c14n")


def revision_count(template) -> int:
    return TemplateRevision.objects.filter(template=template).count()


def test_it_renders_the_same_xml_except_the_name(original):
    forked = editing.fork(original)
    assert forked.pk != original.pk
    assert forked.name == f"{original.name}-copy"
    rendered = rendering.render_xml(forked)
    assert etree.fromstring(rendered.encode()).findtext("name") == forked.name
    assert without_name(rendered) == without_name(rendering.render_xml(original))
    assert forked.description == original.description
    assert forked.parameters == original.parameters


def test_it_keeps_slot_order_and_own_xml(original, tablet, disk_profile):
    forked = editing.fork(original)
    assert slot_rows(forked) == slot_rows(original)
    own = [s for s in rendering.slots_of(forked) if not s.profile_id]
    assert own and all(s.xml for s in own)


def test_it_links_to_the_same_profiles_by_default(original, tablet, disk_profile):
    forked = editing.fork(original)
    linked = [s.profile_id for s in rendering.slots_of(forked) if s.profile_id]
    assert linked == [tablet.pk, disk_profile.pk, tablet.pk]
    assert DeviceProfile.objects.count() == 2
    before = rendering.render_xml(forked)
    tablet.xml = "<input type='tablet' bus='virtio'/>"
    tablet.save()
    assert rendering.render_xml(forked) != before  # the fork follows the profile
    assert without_name(rendering.render_xml(forked)) == without_name(rendering.render_xml(original))


def test_it_links_to_copies_of_the_profiles_with_copy_profiles(original, tablet, disk_profile):
    user = get_user_model().objects.create_user("ada", password="pw")
    forked = editing.fork(original, owner=user, copy_profiles=True)
    linked = [s.profile for s in rendering.slots_of(forked) if s.profile_id]
    assert len(linked) == 3
    assert linked[0].pk == linked[2].pk  # one copy per distinct profile
    assert {p.pk for p in linked}.isdisjoint({tablet.pk, disk_profile.pk})
    assert [p.name for p in linked] == ["Tablet (copy)", "Shared disk (copy)", "Tablet (copy)"]
    assert all(p.owner == user for p in linked)
    assert [p.xml for p in linked] == [tablet.xml, disk_profile.xml, tablet.xml]
    assert forked.owner == user

    fork_before = rendering.render_xml(forked)
    original_before = rendering.render_xml(original)
    assert without_name(fork_before) == without_name(original_before)
    tablet.xml = "<input type='tablet' bus='virtio'/>"
    tablet.save()
    assert rendering.render_xml(original) != original_before
    assert rendering.render_xml(forked) == fork_before


def test_it_makes_names_unique(original):
    first = editing.fork(original)
    second = editing.fork(original)
    third = editing.fork(original)
    assert [first.name, second.name, third.name] == [
        f"{original.name}-copy",
        f"{original.name}-copy-2",
        f"{original.name}-copy-3",
    ]
    named = editing.fork(original, name=original.name)
    assert named.name == f"{original.name}-2"
    assert etree.fromstring(rendering.render_xml(named).encode()).findtext("name") == named.name


def test_it_leaves_the_original_unchanged(original):
    rendered, count, rows = rendering.render_xml(original), revision_count(original), slot_rows(original)
    editing.fork(original, copy_profiles=True)
    original = DomainTemplate.objects.get(pk=original.pk)
    assert rendering.render_xml(original) == rendered
    assert revision_count(original) == count
    assert slot_rows(original) == rows


def test_it_records_a_revision_for_the_fork(original):
    number = revision_count(original)
    forked = editing.fork(original)
    revs = list(TemplateRevision.objects.filter(template=forked))
    assert len(revs) == 1
    assert revs[0].number == 1
    assert revs[0].message == f"Forked from {original.name} revision {number}"
    assert revs[0].rendered == rendering.render_xml(forked)


def test_it_forks_through_the_page_button_and_redirects(client, original):
    user = get_user_model().objects.create_user("bea", password="pw")
    client.force_login(user)
    editor = html_of(client.get(f"/templates/{original.pk}/"))
    tab = editor.xpath("//nav[@class='tabs']//a[normalize-space()='Fork']")[0]
    page = html_of(client.get(tab.get("href")))
    form = page.get_element_by_id("fork-form")
    assert page.xpath("//label[@for='fork-name']")[0].text_content().strip() == "Name of the fork"
    label = page.xpath("//label[@for='fork-copy-profiles']")[0].text_content()
    assert "Copy linked profiles (otherwise the fork follows the same profiles)" in " ".join(label.split())
    assert [b.text_content() for b in form.xpath(".//button")] == ["Fork"]
    data = form_values(form)
    data["name"] = ["my-fork"]
    data["copy_profiles"] = ["1"]
    count = revision_count(original)
    response = client.post(form.get("action"), data, follow=True)
    forked = DomainTemplate.objects.get(name="my-fork")
    assert response.redirect_chain == [(f"/templates/{forked.pk}/", 302)]
    assert response.status_code == 200
    assert f"Forked {original.name} as my-fork." in response.content.decode()
    assert forked.owner == user
    assert all(s.profile.owner == user for s in rendering.slots_of(forked) if s.profile_id)
    assert revision_count(forked) == 1
    assert TemplateRevision.objects.get(template=forked).author == user
    assert revision_count(original) == count


def test_it_forks_for_the_logged_in_user_with_the_default_name(client, original):
    response = client.post(f"/templates/{original.pk}/fork/", {"name": ""})
    forked = DomainTemplate.objects.get(name=f"{original.name}-copy")
    assert response.status_code == 302
    assert response["Location"] == f"/templates/{forked.pk}/"
    assert forked.owner.username == "tester"  # the tests' user (every page needs a login)
    assert [s.profile_id for s in rendering.slots_of(forked)] == [s.profile_id for s in rendering.slots_of(original)]
