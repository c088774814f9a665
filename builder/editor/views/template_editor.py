"""The template editor: sections and devices as forms, a live preview, raw XML, parameters."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from builder.domainxml.assemble import to_string
from builder.domainxml.element import InvalidValues
from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.parse import XMLInputError
from builder.editor import preview_posts
from builder.editor.conflicts import template_conflict
from builder.editor.forms import form_for
from builder.editor.preview import form_errors, preview_context
from builder.editor.rights import ownership, rights
from builder.hosts.capability_cache import offer_for
from builder.hosts.host_choices import choices
from builder.hosts.models import Host
from builder.hosts.rights import hosts_seen
from builder.library import access, editing, publishing, rendering, revisions
from builder.library.access import Action
from builder.library.models import DeviceProfile, DomainTemplate


def get_template(request: HttpRequest, pk: int, action: Action) -> DomainTemplate:
    """The template `request.user` may do `action` with, its published revision joined in."""
    return access.get_or_404(DomainTemplate.objects.select_related("published"), request.user, action, pk=pk)


def _read_or_edit(request: HttpRequest) -> Action:
    return Action.EDIT if request.method == "POST" else Action.VIEW


def _forms(template, root, slots, data=None):
    sections = [form_for(cls, cls.__name__.lower(), node=root, data=data) for cls in SECTIONS]
    devices = []
    for slot, node in zip(slots, rendering.device_nodes(root), strict=True):
        cls = DEVICES.get(node.tag)
        # A linked device is the profile's: no fields here, so nothing of it is posted or checked.
        form = form_for(cls, f"slot{slot.pk}", node=node, data=data) if cls and not slot.profile_id else None
        devices.append({"slot": slot, "node": node, "cls": cls, "form": form, "summary": _device_summary(cls, node)})
    return sections, devices


def _device_summary(cls, node) -> str:
    return cls(node).summary() if cls else f"<{node.tag}> (edited as XML)"


def _edit_from(sections, devices) -> editing.Edit:
    edit = editing.Edit()
    for form in sections:
        form.is_valid()
        edit.sections[form.element.__name__] = form.values()
    for d in devices:
        if d["form"] is not None and not d["slot"].profile_id:
            d["form"].is_valid()
            edit.slots[d["slot"].pk] = d["form"].values()
    return edit


def _parameter_rows(request: HttpRequest) -> list[tuple[str, str]]:
    """The parameters' (name, default) rows as posted."""
    return list(zip(request.POST.getlist("param_name"), request.POST.getlist("param_default"), strict=False))


def check_host(request: HttpRequest) -> Host | None:
    """The host the editor checks against ("Check against host"), kept in the session."""
    if "check_host" in request.GET:
        request.session["check_host"] = request.GET["check_host"]
    pk = str(request.session.get("check_host", ""))
    return hosts_seen(request.user).filter(pk=pk).first() if pk.isdigit() else None


def save_posted(request: HttpRequest, template: DomainTemplate) -> HttpResponse | None:
    """Save what the editor form holds before any of its buttons acts (move, add, ...).

    None when saved (or nothing to save); otherwise the editor again, with the person's values
    and the reasons, so nothing typed is lost.
    """
    if f"{SECTIONS[0].__name__.lower()}-name" not in request.POST:
        return None  # not posted from the editor form
    if revisions.claim(template, request.POST.get("base_revision")):  # locked until the revision is recorded
        return _form_conflict(request, template)
    slots = rendering.slots_of(template)
    root = rendering.render(template, slots)
    sections, devices = _forms(template, root, slots, data=request.POST)
    edit = _edit_from(sections, devices)
    errors = list(form_errors(sections, devices))
    rows = None
    if "param_name" in request.POST:
        rows = _parameter_rows(request)
        errors += [("", e) for e in editing.check_parameters(rows)[1]]
    if not errors:
        try:
            notes = []
            with transaction.atomic():  # the values and the parameters, or neither
                editing.save_edit(template, edit, notes)
                if rows is not None:
                    editing.set_parameters(template, rows)
            for note in notes:  # what followed from a new machine type or firmware
                messages.info(request, note.message)
            return None
        except InvalidValues as e:
            errors = [("", str(e))]
    if rows is not None:  # shown again as typed, not stored
        template.parameters = [{"name": n.strip(), "default": d} for n, d in rows if n.strip()]
    editing.apply_edit(root, slots, edit)
    messages.error(request, "Nothing was changed: some values are not accepted (marked below).")
    base = request.POST.get("base_revision")
    host = check_host(request)
    context = _context(template, root, slots, sections, devices, errors, base=base, user=request.user, host=host)
    return render(request, "editor/template_editor.html", context, status=422)


def _form_conflict(request: HttpRequest, template: DomainTemplate) -> HttpResponse:
    """Someone saved since this form was loaded: nothing saved; both versions shown, theirs kept."""
    slots = rendering.slots_of(template)
    root = rendering.render(template, slots)
    sections, devices = _forms(template, root, slots, data=request.POST)
    for d in devices:  # a device added since has no values in this form: left as it is
        if d["form"] is not None and not any(k.startswith(f"slot{d['slot'].pk}-") for k in request.POST):
            d["form"] = None
    with contextlib.suppress(InvalidValues):  # shown with what could be applied
        editing.apply_edit(root, slots, _edit_from(sections, devices))
    params = [(n.strip(), d) for n, d in _parameter_rows(request) if n.strip()]
    return template_conflict(request, template, to_string(root) + "\n", form=True, params=params)


def editor(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template(request, pk, _read_or_edit(request))
    try:
        root = rendering.render(template)
    except XMLInputError as e:
        return render(request, "editor/broken.html", {"template": template, "error": str(e)}, status=500)
    if request.method == "POST":
        refused = save_posted(request, template)
        if refused is not None:
            return refused
        messages.success(request, "Saved.")
        return redirect("template-editor", pk=template.pk)
    slots = rendering.slots_of(template)
    sections, devices = _forms(template, root, slots)
    host = check_host(request)
    # The host is asked for its capabilities when chosen, not on every visit (a slow host would
    # make every page slow); "Refresh" on the host page asks again.
    fetch = "check_host" in request.GET
    context = _context(template, root, slots, sections, devices, user=request.user, host=host, fetch=fetch)
    return render(request, "editor/template_editor.html", context)


def _context(template, root, slots, sections, devices, errors=(), base=None, user=None, host=None, fetch=False):
    preview = preview_context(template, root, slots, errors, host=host, fetch=fetch)
    offer = offer_for(host, fetch=False) if host is not None else None
    tags = {n.tag for n in rendering.device_nodes(root)}
    return {
        "check_hosts": hosts_seen(user),
        "host_choices": choices(offer) if offer is not None else {},
        "template": template,
        **ownership(user, template),
        "draft_ahead": publishing.is_draft_ahead(template),
        "base_revision": base or revisions.latest_number(template),
        "sections": sections,
        "devices": devices,
        "profiles": access.visible(DeviceProfile.objects.order_by("kind", "name"), user),
        # A kind libvirt takes once per domain (watchdog, memballoon) is not offered a second time.
        "kinds": [(tag, cls.label) for tag, cls in DEVICES.items() if cls.may_add(tags)],
        "preview": preview,
        "refused": bool(errors),  # the page shows values that are not saved
    }


@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole domain as the form now says, not saved: XML, validation, errors at their fields."""
    # Without the published revision _get joins in: its snapshot is not needed on every keystroke.
    template = access.get_or_404(DomainTemplate, request.user, Action.VIEW, pk=pk)
    slots = rendering.slots_of(template)
    root = rendering.render(template, slots)
    form = preview_posts.read(template, root, slots, request.POST)
    errors = list(form.errors())
    notes = []
    try:
        editing.apply_edit(root, slots, form.edit, notes)
    except InvalidValues as e:
        errors.append(("", str(e)))
    preview = preview_context(template, root, slots, errors, host=check_host(request), notes=notes)
    # Only fields on the page (a hidden running id is not), or htmx reports a missing target.
    context = {"template": template, "preview": preview, "field_ids": form.field_ids}
    return render(request, "editor/preview.html", context)


@require_POST
def new_template(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip() or "new-guest"
    try:
        template = editing.new_template(name, owner=request.user if request.user.is_authenticated else None)
    except XMLInputError as e:
        messages.error(request, f"Not created: {e}.")
        return redirect("library")
    messages.success(request, f"Created template {template.name}. Add devices below.")
    return redirect("template-editor", pk=template.pk)


def raw_xml(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template(request, pk, _read_or_edit(request))
    error, text = "", None
    if request.method == "POST":
        text = request.POST.get("xml", "")
        if revisions.claim(template, request.POST.get("base_revision")):  # locked until the revision is recorded
            return template_conflict(request, template, text)
        try:
            warnings = editing.replace_xml(template, text)
        except XMLInputError as e:
            error = str(e)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, "Saved the XML.")
            return redirect("template-editor", pk=template.pk)
    if text is None:
        text = rendering.render_xml(template)
    status = 422 if error else 200
    base = request.POST.get("base_revision") or revisions.latest_number(template)
    context = {"template": template, "text": text, "error": error, "base_revision": base}
    context["rights"] = rights(request.user, template)
    return render(request, "editor/raw_xml.html", context, status=status)


@require_POST
def parameters(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_template(request, pk, Action.EDIT)
    refused = save_posted(request, template)
    if refused is not None:
        return refused
    if f"{SECTIONS[0].__name__.lower()}-name" not in request.POST:  # posted on its own
        rows = _parameter_rows(request)
        errors = editing.set_parameters(template, rows)
        for e in errors:
            messages.error(request, e)
        if errors:
            return redirect(reverse("template-editor", args=[template.pk]) + "#parameters")
    messages.success(request, "Saved the parameters.")
    return redirect(reverse("template-editor", args=[template.pk]) + "#parameters")
