"""Revisions of templates: one per stored change, history, compare, restore, no lost updates."""

from __future__ import annotations

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from builder.library import editing, rendering, revisions
from builder.library.models import DomainTemplate, ProfileRevision, TemplateRevision
from tests.editor_support import (
    BOOTORDER,
    TABLET,
    changed,
    editor_form,
    editor_page,
    html_of,
    logged_in_clients,
    press,
    raw_form,
)

pytestmark = pytest.mark.django_db


def numbers(template) -> list[int]:
    return list(TemplateRevision.objects.filter(template=template).order_by("number").values_list("number", flat=True))


def latest(template) -> TemplateRevision:
    return TemplateRevision.objects.filter(template=template).order_by("-number").first()


# -- one revision per operation --------------------------------------------------------------


def test_it_records_the_import_as_revision_1(imported):
    assert numbers(imported) == [1]
    rev = latest(imported)
    assert rev.rendered == rendering.render_xml(imported)
    assert rev.snapshot["xml"] == imported.xml
    assert [s["xml"] for s in rev.snapshot["slots"]] == list(
        imported.slots.order_by("position").values_list("xml", flat=True)
    )
    assert rev.snapshot["parameters"] == []


def test_it_records_an_import_through_the_browser(client):
    upload = SimpleUploadedFile("guest.xml", BOOTORDER.read_bytes(), content_type="application/xml")
    client.post("/import/file/", {"file": upload})
    template = DomainTemplate.objects.get()
    assert numbers(template) == [1]


def test_it_records_a_new_template(client):
    client.post("/templates/new/", {"name": "fresh"})
    template = DomainTemplate.objects.get(name="fresh")
    assert numbers(template) == [1]
    assert "<name>fresh</name>" in latest(template).rendered


def test_it_records_one_revision_per_editor_save_with_message_and_author(client, imported):
    user = get_user_model().objects.create_user("ada", password="pw")
    imported.owner = user  # hers to change
    imported.save(update_fields=["owner"])
    client.force_login(user)
    data = changed(editor_form(client, imported), {"resources-vcpu": "6", "message": "more cpus"})
    assert client.post(f"/templates/{imported.pk}/", data).status_code == 302
    assert numbers(imported) == [1, 2]
    rev = latest(imported)
    assert (rev.message, rev.author) == ("more cpus", user)
    assert ">6</vcpu>" in rev.rendered
    assert latest(imported).pk == TemplateRevision.objects.get(template=imported, number=2).pk
    assert TemplateRevision.objects.get(template=imported, number=1).author is None


def test_it_records_one_revision_per_raw_xml_save(client, imported):
    data = raw_form(client, imported)
    data["xml"] = data["xml"].replace("</name>", "-raw</name>")
    data["message"] = "renamed"
    assert client.post(f"/templates/{imported.pk}/xml/", data).status_code == 302
    assert numbers(imported) == [1, 2]
    assert latest(imported).message == "renamed"
    assert "-raw</name>" in latest(imported).rendered


def test_it_records_one_revision_per_device_operation(client, imported, tablet):
    expected = 1

    def check():
        nonlocal expected
        expected += 1
        assert numbers(imported) == list(range(1, expected + 1))
        assert latest(imported).rendered == rendering.render_xml(imported)

    # Each button posts the whole form (saving it first) and then acts: still one revision.
    press(client, editor_page(client, imported), "Add device", edits={"device": f"profile:{tablet.pk}"})
    check()
    slot = imported.slots.order_by("-position").first()
    press(client, editor_page(client, imported), "Move up", within=f"slot{slot.pk}")
    check()
    press(client, editor_page(client, imported), "Detach from profile", within=f"slot{slot.pk}")
    check()
    press(
        client,
        editor_page(client, imported),
        "Save as profile",
        within=f"slot{slot.pk}",
        edits={f"profile_name_{slot.pk}": "Tab"},
    )
    check()
    slot.refresh_from_db()
    assert latest(imported).snapshot["slots"][slot.position]["profile"] == slot.profile_id
    client.post(f"/templates/{imported.pk}/devices/{slot.pk}/xml/", {"xml": "<input type='mouse' bus='ps2'/>"})
    check()
    press(client, editor_page(client, imported), "Remove", within=f"slot{slot.pk}")
    check()
    press(client, editor_page(client, imported), "Add device", edits={"device": "kind:disk"})
    check()


def test_it_records_one_revision_per_parameters_save(client, imported):
    press(
        client,
        editor_page(client, imported),
        "Save parameters",
        edits={"param_name": "disk_path", "param_default": "/x.img"},
    )
    assert numbers(imported) == [1, 2]
    assert latest(imported).snapshot["parameters"] == [{"name": "disk_path", "default": "/x.img"}]
    # Posted on its own (without the editor form): one more.
    client.post(
        f"/templates/{imported.pk}/parameters/", {"param_name": ["disk_path", "pool"], "param_default": ["", "p"]}
    )
    assert numbers(imported) == [1, 2, 3]


def test_it_records_the_library_operations_called_directly(imported, tablet):
    slot = editing.add_device(imported, profile=tablet)
    editing.move_slot(slot, -1)
    editing.detach_slot(slot)
    editing.replace_slot_xml(slot, TABLET)
    editing.set_parameters(imported, [("a", "1")])
    editing.remove_slot(slot)
    assert numbers(imported) == [1, 2, 3, 4, 5, 6, 7]


def test_it_records_nothing_when_nothing_changes(imported):
    slot = imported.slots.order_by("-position").first()
    assert not editing.move_slot(slot, 1)  # already last
    revisions.record(imported)
    assert numbers(imported) == [1]


def test_it_never_changes_a_revision(imported):
    rev = latest(imported)
    rev.message = "rewritten"
    with pytest.raises(ValueError):
        rev.save()
    assert latest(imported).message == ""


def test_it_shows_revisions_read_only_in_the_admin(client, imported):
    admin = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(admin)
    rev = latest(imported)
    page = client.get(f"/admin/library/templaterevision/{rev.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(f"/admin/library/templaterevision/{rev.pk}/change/", {"message": "x"}).status_code == 403
    assert client.get("/admin/library/templaterevision/add/").status_code == 403


# -- history, compare, restore ---------------------------------------------------------------


def test_it_lists_the_revisions_newest_first(client, imported):
    user = get_user_model().objects.create_user("ada", password="pw")
    imported.owner = user  # hers to change
    imported.save(update_fields=["owner"])
    client.force_login(user)
    client.post(
        f"/templates/{imported.pk}/",
        changed(editor_form(client, imported), {"resources-vcpu": "7", "message": "seven"}),
    )
    doc = html_of(client.get(f"/templates/{imported.pk}/history/"))
    rows = [
        [td.text_content().strip() for td in tr.iter("td")] for tr in doc.xpath("//table[@class='revisions']/tbody/tr")
    ]
    assert [r[0].split()[0] for r in rows] == ["2", "1"]
    assert rows[0][1] == "ada" and rows[0][3] == "seven"
    assert rows[1][1] == "—"
    assert [lab.text_content() for lab in doc.xpath("//form[contains(@class, 'compare-form')]//label")] == [
        "Older",
        "Newer",
    ]
    # History is a tab of every template page.
    for page in ("", "xml/", "render/"):
        tabs = html_of(client.get(f"/templates/{imported.pk}/{page}")).xpath("//nav[@class='tabs']//a")
        assert "History" in [a.text_content() for a in tabs]


def test_it_compares_two_revisions_as_a_coloured_diff(client, imported):
    client.post(f"/templates/{imported.pk}/", changed(editor_form(client, imported), {"resources-vcpu": "7"}))
    old_vcpu = [line for line in latest(imported).rendered.splitlines() if "vcpu" in line]
    doc = html_of(client.get(f"/templates/{imported.pk}/history/", {"a": "1", "b": "2"}))
    added = [s.text_content() for s in doc.xpath("//pre[@class='diff']/span[@class='diff-add']")]
    removed = [s.text_content() for s in doc.xpath("//pre[@class='diff']/span[@class='diff-del']")]
    first = TemplateRevision.objects.get(template=imported, number=1).rendered
    assert [line[1:] for line in removed] == [line for line in first.splitlines() if "<vcpu" in line]
    assert [line[1:] for line in added] == old_vcpu
    assert ">7</vcpu>" in added[0]


def test_it_restores_an_old_revision_as_a_new_one(client, imported, tablet):
    client.post(f"/templates/{imported.pk}/", changed(editor_form(client, imported), {"resources-vcpu": "7"}))
    editing.add_device(imported, profile=tablet)
    editing.set_parameters(imported, [("p", "1")])
    before = {r.number: (r.rendered, r.snapshot) for r in TemplateRevision.objects.filter(template=imported)}
    # Restore revision 3 (linked tablet, vcpu 7, no parameters), then revision 1.
    page = client.get(f"/templates/{imported.pk}/history/")
    buttons = html_of(page).xpath("//table[@class='revisions']//button[text()='Restore']")
    assert len(buttons) == 3  # every revision but the latest
    assert client.post(f"/templates/{imported.pk}/history/3/restore/").status_code == 302
    assert numbers(imported) == [1, 2, 3, 4, 5]
    imported.refresh_from_db()
    fifth = latest(imported)
    assert fifth.rendered == before[3][0] == rendering.render_xml(imported)
    assert fifth.snapshot == before[3][1]
    assert fifth.message == "Restored revision 3"
    assert imported.slots.order_by("-position").first().profile == tablet
    client.post(f"/templates/{imported.pk}/history/1/restore/")
    imported.refresh_from_db()
    assert latest(imported).rendered == before[1][0] == rendering.render_xml(imported)
    assert imported.parameters == []
    # The revisions in between are left as they were.
    for r in TemplateRevision.objects.filter(template=imported, number__lte=4):
        assert (r.rendered, r.snapshot) == before[r.number]


# -- no lost updates -------------------------------------------------------------------------


def test_it_refuses_a_form_save_based_on_an_older_revision(imported):
    first, second = logged_in_clients()
    form_a = editor_form(first, imported)
    form_b = editor_form(second, imported)
    assert form_a["base_revision"] == form_b["base_revision"] == ["1"]
    assert first.post(f"/templates/{imported.pk}/", changed(form_a, {"resources-vcpu": "11"})).status_code == 302
    response = second.post(f"/templates/{imported.pk}/", changed(form_b, {"resources-vcpu": "22"}))
    assert response.status_code == 409
    page = response.content.decode()
    doc = lxml.html.fromstring(page)
    sides = [pre.text_content() for pre in doc.xpath("//div[@class='conflict']//pre")]
    assert ">11</vcpu>" in sides[0] and ">22</vcpu>" in sides[1]
    assert ">22</vcpu>" in doc.get_element_by_id("yours").text_content()
    assert "applied to the latest revision" in page
    assert doc.xpath(f"//a[@href='/templates/{imported.pk}/']")
    assert numbers(imported) == [1, 2]
    text = rendering.render_xml(DomainTemplate.objects.get(pk=imported.pk))
    assert ">11</vcpu>" in text and ">22</vcpu>" not in text
    # The device buttons save the form first: refused the same way.
    html = editor_page(second, imported)
    stale = lxml.html.fromstring(html).get_element_by_id("editor-form")
    stale.xpath(".//input[@name='base_revision']")[0].set("value", "1")
    response = press(second, lxml.html.tostring(stale).decode(), "Add device", edits={"resources-vcpu": "33"})
    assert response.status_code == 409
    assert numbers(imported) == [1, 2]
    # Loaded again on the latest revision, the second person's save goes through.
    assert (
        second.post(
            f"/templates/{imported.pk}/", changed(editor_form(second, imported), {"resources-vcpu": "22"})
        ).status_code
        == 302
    )
    assert numbers(imported) == [1, 2, 3]


def test_it_refuses_a_raw_xml_save_based_on_an_older_revision(imported):
    first, second = logged_in_clients()
    form_a, form_b = raw_form(first, imported), raw_form(second, imported)
    form_a["xml"] = form_a["xml"].replace("</name>", "-first</name>")
    form_b["xml"] = form_b["xml"].replace("</name>", "-second</name>")
    assert first.post(f"/templates/{imported.pk}/xml/", form_a).status_code == 302
    response = second.post(f"/templates/{imported.pk}/xml/", form_b)
    assert response.status_code == 409
    doc = html_of(response)
    sides = [pre.text_content() for pre in doc.xpath("//div[@class='conflict']//pre")]
    assert "-first</name>" in sides[0] and "-second</name>" in sides[1]
    assert doc.get_element_by_id("yours").text_content() == form_b["xml"]
    assert doc.xpath(f"//a[@href='/templates/{imported.pk}/xml/']")
    imported.refresh_from_db()
    assert imported.name.endswith("-first")
    assert numbers(imported) == [1, 2]


def test_it_takes_a_post_without_base_revision_as_based_on_the_latest(client, imported):
    client.post(f"/templates/{imported.pk}/", changed(editor_form(client, imported), {"resources-vcpu": "3"}))
    data = changed(editor_form(client, imported), {"resources-vcpu": "4"})
    del data["base_revision"]
    assert client.post(f"/templates/{imported.pk}/", data).status_code == 302
    text = raw_form(client, imported)["xml"]
    assert (
        client.post(f"/templates/{imported.pk}/xml/", {"xml": text.replace("</name>", "-x</name>")}).status_code == 302
    )
    assert numbers(imported) == [1, 2, 3, 4]


# -- profiles ------------------------------------------------------------------------------------


def test_every_save_of_a_profile_records_a_revision_with_its_author_and_message(client, tablet):
    assert [(r.number, r.xml) for r in tablet.revisions.all()] == [(1, TABLET)]
    page = client.get(f"/profiles/{tablet.pk}/")
    assert page.status_code == 200
    mouse = TABLET.replace("tablet", "mouse")
    client.post(f"/profiles/{tablet.pk}/", {"name": "Mouse", "description": "", "xml": mouse, "message": "mouse"})
    client.post(f"/profiles/{tablet.pk}/", {"name": "Mouse", "description": "", "xml": mouse})  # the same: none
    revs = list(tablet.revisions.order_by("number"))
    assert [(r.number, r.name, r.message) for r in revs] == [(1, "Tablet", ""), (2, "Mouse", "mouse")]
    assert revs[1].author.username == "tester" and "mouse" in revs[1].xml
    with pytest.raises(ValueError):
        revs[0].save()


def test_a_profiles_history_compares_and_restores(client, tablet):
    tablet.xml = TABLET.replace("tablet", "mouse")
    tablet.save()
    page = client.get(f"/profiles/{tablet.pk}/history/", {"a": "1", "b": "2"}).content.decode()
    assert 'class="diff-del">-' in page and "tablet" in page and 'class="diff-add">+' in page
    assert client.post(f"/profiles/{tablet.pk}/history/1/restore/", {"message": "back"}).status_code == 302
    tablet.refresh_from_db()
    assert tablet.xml == TABLET
    last = tablet.revisions.order_by("-number").first()
    assert (last.number, last.message, last.xml) == (3, "back", TABLET)


def test_a_profile_revision_keeps_the_description_and_restoring_brings_it_back(client, tablet):
    url = f"/profiles/{tablet.pk}/"
    client.post(url, {"name": "Tablet", "description": "the first words", "xml": TABLET})
    client.post(url, {"name": "Tablet", "description": "written over", "xml": TABLET})
    assert [(r.number, r.description) for r in tablet.revisions.order_by("number")] == [
        (1, ""),
        (2, "the first words"),
        (3, "written over"),
    ]
    doc = html_of(client.get(f"{url}history/"))
    cells = [tr.xpath("./td")[2].text_content() for tr in doc.xpath("//table[@class='revisions']/tbody/tr")]
    assert cells == ["written over", "the first words", ""]
    assert client.post(f"{url}history/2/restore/").status_code == 302
    tablet.refresh_from_db()
    assert tablet.description == "the first words"
    assert tablet.revisions.order_by("-number").first().description == "the first words"


def test_restoring_a_profile_revision_from_before_descriptions_were_kept_leaves_the_description(client, tablet):
    ProfileRevision.objects.filter(profile=tablet).update(description=None)  # as the migration leaves old ones
    mouse = TABLET.replace("tablet", "mouse")
    client.post(f"/profiles/{tablet.pk}/", {"name": "Mouse", "description": "kept", "xml": mouse})
    doc = html_of(client.get(f"/profiles/{tablet.pk}/history/"))
    assert doc.xpath("//tr[@id='rev1']/td")[2].text_content() == "not recorded"
    assert client.post(f"/profiles/{tablet.pk}/history/1/restore/").status_code == 302
    tablet.refresh_from_db()
    assert (tablet.name, tablet.xml, tablet.description) == ("Tablet", TABLET, "kept")
