"""The editor's live preview: the domain as the form says, its problems placed at their fields.

The editor page, a refused save and every keystroke's preview all show it the same way.
"""

from __future__ import annotations

from dataclasses import replace

from builder.domainxml.assemble import to_string
from builder.editor import placement, preview_posts
from builder.hosts.capability_cache import host_check
from builder.hosts.host_rules import policy_problems
from builder.library import services
from builder.library.rendering import undeclared_parameters, with_defaults


def preview_context(template, root, slots, form_errors=(), host=None, fetch=False, notes=()) -> dict:
    """What the preview shows for `root` (the template's domain with the form's values applied)."""
    xml = to_string(root)
    # Checked as a render with the parameters' defaults would be: ${disk_path} is not a path yet.
    filled = with_defaults(template, root)
    problems = services.check(filled)
    libvirt_refuses = any(p.level == "error" for p in problems)
    host_problems = host_check(host, filled, fetch=fetch) if host is not None else None
    problems += [replace(p, message=f"{host.name} cannot run this: {p.message}") for p in host_problems or ()]
    # Apart from validity: what reaches outside the guest (the chosen host's policy, or warnings).
    outside = policy_problems(host, filled)
    return {
        "xml": xml,
        "problems": problems,
        "outside": outside,
        "errors": any(p.level == "error" for p in [*problems, *outside]),
        "libvirt_refuses": libvirt_refuses,
        "refused": len(form_errors),  # typed values not taken: the XML above does not have them
        "placed": _placed(root, slots, [*problems, *outside], form_errors, notes),
        "summary": placement.summary(root),
        "undeclared": undeclared_parameters(template, root),
        "host": host,
        "host_known": host_problems is not None,
        "rederived": [n.message for n in notes],
    }


def _placed(root, slots, problems, form_errors, notes) -> dict[str, list[str]]:
    """Messages by the field they are about ("": the page's top)."""
    prefixes = [f"slot{s.pk}" for s in slots]
    placed: dict[str, list[str]] = {}
    for p in problems:
        target = placement.field_of(p, root, prefixes)
        if target:
            placed.setdefault(target, []).append(p.message)
    for target, message in form_errors:
        placed.setdefault(target, []).append(message)
    for note in notes:  # re-derived from the machine type or firmware: said at the field it changed
        target = placement.field_of(note, root, prefixes)
        placed.setdefault(target or "", []).append(note.message)
    return placed


def form_errors(sections, devices):
    """(field id, message) of every value the editor's section and device forms did not accept."""
    return preview_posts.form_errors([*sections, *(d["form"] for d in devices if d["form"] is not None)])
