"""Rendering one declared field: label, input, help tooltip, errors, and when it applies."""

import json

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from builder.editor.forms import ElementForm
from builder.specdocs.tooltips import tooltip_for

register = template.Library()


@register.inclusion_tag("editor/field.html", takes_context=True)
def field_row(context, form: ElementForm, decl, bound_fields):
    prefix = form.prefix
    tip_id = f"tip-{prefix}-{decl.name}"
    when = None
    if decl.when:
        when = json.dumps(
            {
                f"{prefix}-{k}": {"values": list(v), "default": decl.owner.fields[k].default or ""}
                for k, v in decl.when.items()
            }
        )
    placed = context.get("preview", {}).get("placed", {}) if isinstance(context.get("preview"), dict) else {}
    # Values the chosen host offers for this field (builder.hosts.host_choices.choices).
    offered = context.get("host_choices", {}).get(decl.key, [])
    rows = []
    for bf in bound_fields:
        error_id = f"err-{prefix}-{bf.name}"
        attrs = {"aria-describedby": f"{tip_id} {error_id}"}
        if offered and bf.widget_type in ("text", "textinput"):
            attrs["list"] = f"offer-{prefix}-{bf.name}"
        rows.append({"bf": bf, "widget": bf.as_widget(attrs=attrs), "error_id": error_id,
                     "errors": placed.get(f"{prefix}-{bf.name}", [])})  # fmt: skip
    return {
        "decl": decl,
        "rows": rows,
        "tip": tooltip_for(decl),
        "tip_id": tip_id,
        "when": when,
        "kind": decl.conv.widget,
        "checkbox": rows and rows[0]["bf"].widget_type == "checkbox",
        "offered": offered,
        "host": context.get("preview", {}).get("host") if isinstance(context.get("preview"), dict) else None,
    }


@register.filter
def get_item(mapping, key):
    return mapping.get(key, []) if mapping else []


@register.simple_tag
def error_swaps(form_id, field_ids, placed):
    """The preview's messages at their fields, swapped in out of band (htmx).

    One swap empties every error box of the form; then only the fields with messages get theirs.
    A box keeps its own attributes (aria-live): only its content is swapped. Built here rather
    than with template tags: the preview answers every keystroke.
    """
    placed = placed or {}
    shown = set(field_ids)  # a message for a field not on the page stays in the list of problems
    swaps = [f'<div hx-swap-oob="innerHTML:#{form_id} .field-errors"></div>']
    for fid, messages in placed.items():
        if fid in shown:
            paragraphs = "".join(f"<p>{escape(m)}</p>" for m in messages)
            swaps.append(f'<div id="err-{escape(fid)}" hx-swap-oob="innerHTML">{paragraphs}</div>')
    return mark_safe("".join(swaps))
