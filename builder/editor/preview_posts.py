"""What the editor form posts, read for the live preview: forms only where something changed.

The preview is sent on every keystroke. Building and checking a Django form per section and
device each time was most of its cost, and it is needless for the parts nobody touched: their
values are the XML's own, which are written as they are and not checked again (ElementForm.clean).
The page sends only the parts in which something was typed; of those, Django's has_changed test,
run per field, picks the ones that need a form.

What the page showed for a template (each part's values, and what a browser posts for them) is
kept per process for the templates last previewed, keyed by the stored texts themselves, so an
edit anywhere (in any process) is a new key and never meets an old answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.lru import Kept
from builder.editor.forms import ElementForm, form_class, initial_values, posted_differs, shown_fields
from builder.library import editing, rendering

KEPT = 64  # templates whose shown values are kept, per process


@dataclass
class Posted:
    edit: editing.Edit
    forms: list[ElementForm] = field(default_factory=list)  # of the changed parts only
    field_ids: list[str] = field(default_factory=list)  # every field the page shows

    def errors(self):
        return form_errors(self.forms)


def form_errors(forms):
    """(field id, message) of every value a bound form did not accept."""
    for form in forms:
        if form.is_bound:
            for name, messages in form.errors.items():
                for message in messages:
                    yield f"{form.prefix}-{name}", message


@dataclass(frozen=True)
class Shown:
    """One part as the page showed it: its values, and what a browser posts when nothing changed."""

    cls: type
    prefix: str
    target: tuple[str, object]  # where its values go in an Edit: ("sections", name) or ("slots", pk)
    initial: dict
    as_posted: tuple[tuple[str, str], ...]  # (field name, posted text)
    field_ids: tuple[str, ...]

    def untouched(self, data) -> bool:
        return all((data.get(name) or "") == text for name, text in self.as_posted)


_NEVER = object()  # a posted text no field has: that field is always looked at with has_changed
_kept: Kept[list[Shown]] = Kept(KEPT)


def parts(root, slots):
    """(element class, form prefix, node, target in an Edit) of every part with a form on the page."""
    for cls in SECTIONS:
        yield cls, cls.__name__.lower(), root, ("sections", cls.__name__)
    for slot, node in zip(slots, rendering.device_nodes(root), strict=True):
        cls = DEVICES.get(node.tag)
        if cls and not slot.profile_id:  # a linked device is the profile's: it has no fields here
            yield cls, f"slot{slot.pk}", node, ("slots", slot.pk)


def _as_posted(cls, prefix: str, initial: dict) -> tuple:
    """What a browser sends for the unchanged part ("" for an empty field or an unticked box, which
    reads as the field not sent); a text Django would still see as a change (a value with spaces
    around it, which the form strips) is marked never to match."""
    sent = []
    for name, f in form_class(cls).base_fields.items():
        if f.disabled:
            continue  # a disabled control is not sent
        key = f"{prefix}-{name}"
        value = initial.get(name)
        if isinstance(f, forms.BooleanField):
            text = "on" if value else ""
        else:
            text = "" if value is None else str(value)
        ways = [{key: text}, *([{}] if text == "" else [])]  # "" and not sent must both be no change
        unchanged = not any(f.has_changed(value, f.widget.value_from_datadict(d, None, key)) for d in ways)
        sent.append((key, text if unchanged else _NEVER))
    return tuple(sent)


def _shown(root, slots) -> list[Shown]:
    shown = []
    for cls, prefix, node, target in parts(root, slots):
        initial = initial_values(cls, node)
        ids = tuple(f"{prefix}-{name}" for _, names in shown_fields(cls, initial) for name in names)
        shown.append(Shown(cls, prefix, target, initial, _as_posted(cls, prefix, initial), ids))
    return shown


def shown_for(template, root, slots) -> list[Shown]:
    """The parts of `root` (the template as stored, assembled, nothing applied yet) as shown."""
    key = (template.xml, tuple((s.pk, s.profile_id, s.profile.xml if s.profile_id else s.xml) for s in slots))
    return _kept.get(key, lambda: _shown(root, slots))


def read(template, root, slots, data) -> Posted:
    """The posted values as an Edit of `root`, with a form (and its check) for each changed part.

    The editor's page posts only the parts in which something was typed (static/js/editor.js):
    then `partial` is 1 and `changed_part` names them; the parts not named are as stored. A post
    without `partial` holds every part, and each is compared with what is stored.
    """
    posted = Posted(editing.Edit())
    named = set(data.getlist("changed_part")) if data.get("partial") == "1" else None
    nodes = {prefix: node for _, prefix, node, _ in parts(root, slots)}
    for part in shown_for(template, root, slots):
        posted.field_ids += part.field_ids
        if named is not None and part.prefix not in named:
            continue
        if part.untouched(data) or not posted_differs(part.cls, part.prefix, part.initial, data):
            continue
        form = form_class(part.cls)(data, node=nodes[part.prefix], prefix=part.prefix, initial=dict(part.initial))
        form.is_valid()
        kind, key = part.target
        getattr(posted.edit, kind)[key] = form.values()
        posted.forms.append(form)
    return posted
