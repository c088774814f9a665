"""The live preview reads the posted form by building forms only for the parts that changed
(builder.editor.preview_posts). For every corpus domain, it must give what building and checking every
form gives: the same XML, the same messages at the same fields, the same notes, the same fields."""

from __future__ import annotations

import lxml.html
import pytest
from django.http import QueryDict

from builder.domainxml.assemble import to_string
from builder.domainxml.element import InvalidValues
from builder.editor import preview, preview_posts
from builder.editor.views import template_editor as views
from builder.library import editing, rendering, services
from tests.editor_support import editor_page
from tests.helpers import CORPUS, as_the_page_sends, form_values

pytestmark = pytest.mark.django_db


def query(data: dict[str, list[str]]) -> QueryDict:
    q = QueryDict(mutable=True)
    for name, values in data.items():
        q.setlist(name, values)
    return q


def every_form(template, data):
    """The preview as it was: a form for every section and device, each checked."""
    slots = rendering.slots_of(template)
    root = rendering.render(template)
    sections, devices = views._forms(template, root, slots, data=data)
    edit = views._edit_from(sections, devices)
    errors = list(preview.form_errors(sections, devices))
    shown = [*sections, *(d["form"] for d in devices if d["form"] is not None)]
    field_ids = [f"{form.prefix}-{bf.name}" for form in shown for _, bfs in form.rows() for bf in bfs]
    return _applied(root, slots, edit, errors, field_ids)


def changed_forms(template, data):
    slots = rendering.slots_of(template)
    root = rendering.render(template)
    read = preview_posts.read(template, root, slots, data)
    return _applied(root, slots, read.edit, list(read.errors()), read.field_ids)


def _applied(root, slots, edit, errors, field_ids):
    notes = []
    try:
        editing.apply_edit(root, slots, edit, notes)
    except InvalidValues as e:
        errors.append(("", str(e)))
    return to_string(root), sorted(errors), [n.message for n in notes], field_ids


def typed_into_every_other_part(form) -> dict[str, list[str]]:
    """The page's values, with the first filled-in text field of every other part typed over."""
    data = form_values(form)
    prefixes = list(dict.fromkeys(name.split("-")[0] for name in data if "-" in name))
    for prefix in prefixes[::2]:
        for el in form.iter("input"):
            name, value = el.get("name") or "", el.get("value") or ""
            typable = (el.get("type") or "text") == "text" and el.get("disabled") is None
            if name.startswith(f"{prefix}-") and typable and value:
                data[name] = [str(int(value) + 1) if value.isdigit() else f"{value}-x"]
                break
    return data


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_the_preview_reads_only_the_changed_parts_with_the_same_result(client, path):
    template = services.import_domain(path.read_bytes()).template
    form = lxml.html.fromstring(editor_page(client, template)).get_element_by_id("editor-form")
    as_shown = query(form_values(form))
    typed = query(typed_into_every_other_part(form))
    assert typed != as_shown  # the name at least: the General section comes first

    untouched = changed_forms(template, as_shown)
    assert untouched == every_form(template, as_shown)
    assert untouched[0] == to_string(rendering.render(template))  # nothing typed: nothing changed
    slots = rendering.slots_of(template)
    assert preview_posts.read(template, rendering.render(template), slots, as_shown).forms == []  # and no form built

    preview_posts._kept.clear()  # once as the first preview of this template in a process, once after
    assert changed_forms(template, typed) == changed_forms(template, typed) == every_form(template, typed)
    # As the page sends it (static/js/editor.js): only the parts typed in, and their names.
    sent = as_the_page_sends(typed_into_every_other_part(form), form_values(form))
    assert changed_forms(template, query(sent)) == every_form(template, typed)


def test_a_named_part_with_nothing_posted_is_read_as_cleared(client):
    """Unticking every box of a section posts none of its fields: its name says it changed."""
    template = services.import_domain(
        b"<domain type='kvm'><name>flags</name><memory>1048576</memory><os><type>hvm</type></os>"
        b"<features><acpi/><apic/></features></domain>"
    ).template
    sent = query({"partial": ["1"], "changed_part": ["features"]})
    xml = changed_forms(template, sent)[0]
    assert "<acpi/>" not in xml and "<apic/>" not in xml
    untouched = changed_forms(template, query({"partial": ["1"]}))[0]
    assert "<acpi/>" in untouched and "<apic/>" in untouched  # not named: as stored
