"""Rendering one declared field: label, input, help tooltip, errors, and when it applies."""

import json

from django import template

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
    # Values the chosen host offers for this field (builder.hosts.capabilities.choices).
    offered = context.get("host_choices", {}).get(f"{decl.owner.__name__}.{decl.name}", [])
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
