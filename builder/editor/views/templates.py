"""The template editor: sections and devices as forms, a live preview, raw XML, parameters."""

from __future__ import annotations

import contextlib
from dataclasses import replace

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from builder.domainxml.assemble import to_string
from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.parse import XMLInputError
from builder.domainxml.render import Identities
from builder.domainxml.spec import InvalidValues
from builder.editor import posted, present
from builder.editor.conflicts import template_conflict
from builder.editor.forms import form_for
from builder.editor.rights import ownership, rights
from builder.hosts.capabilities import choices
from builder.hosts.capability_cache import host_check, offer_for
from builder.hosts.host_rules import policy_problems
from builder.hosts.models import Host
from builder.hosts.rights import hosts_seen
from builder.library import access, bundles, editing, publishing, revisions, services
from builder.library.access import Action
from builder.library.models import DeviceProfile, DomainTemplate


def _forms(template, root, slots, data=None):
    sections = [form_for(cls, cls.__name__.lower(), node=root, data=data) for cls in SECTIONS]
    devices = []
    for slot, node in zip(slots, editing.device_nodes(root), strict=True):
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


def check_host(request: HttpRequest) -> Host | None:
    """The host the editor checks against ("Check against host"), kept in the session."""
    if "check_host" in request.GET:
        request.session["check_host"] = request.GET["check_host"]
    pk = str(request.session.get("check_host", ""))
    return hosts_seen(request.user).filter(pk=pk).first() if pk.isdigit() else None


def _preview(template, root, slots, form_errors=(), host=None, fetch=False, notes=()):
    xml = to_string(root)
    # Checked as a render with the parameters' defaults would be: ${disk_path} is not a path yet.
    filled = editing.with_defaults(template, root)
    problems = services.check(filled)
    libvirt_refuses = any(p.level == "error" for p in problems)
    host_problems = host_check(host, filled, fetch=fetch) if host is not None else None
    problems += [replace(p, message=f"{host.name} cannot run this: {p.message}") for p in host_problems or ()]
    # Apart from validity: what reaches outside the guest (the chosen host's policy, or warnings).
    outside = policy_problems(host, filled)
    prefixes = [f"slot{s.pk}" for s in slots]
    placed: dict[str, list[str]] = {}
    for p in [*problems, *outside]:
        target = present.field_of(p, root, prefixes)
        if target:
            placed.setdefault(target, []).append(p.message)
    for target, message in form_errors:
        placed.setdefault(target, []).append(message)
    for note in notes:  # re-derived from the machine type or firmware: said at the field it changed
        target = present.field_of(note, root, prefixes)
        placed.setdefault(target or "", []).append(note.message)
    return {
        "xml": xml,
        "problems": problems,
        "outside": outside,
        "errors": any(p.level == "error" for p in [*problems, *outside]),
        "libvirt_refuses": libvirt_refuses,
        "refused": len(form_errors),  # typed values not taken: the XML above does not have them
        "placed": placed,
        "summary": present.summary(root),
        "undeclared": editing.undeclared_parameters(template, root),
        "host": host,
        "host_known": host_problems is not None,
        "rederived": [n.message for n in notes],
    }


def _form_errors(sections, devices):
    return posted.form_errors([*sections, *(d["form"] for d in devices if d["form"] is not None)])


def save_posted(request: HttpRequest, template: DomainTemplate) -> HttpResponse | None:
    """Save what the editor form holds before any of its buttons acts (move, add, ...).

    None when saved (or nothing to save); otherwise the editor again, with the person's values
    and the reasons, so nothing typed is lost.
    """
    if f"{SECTIONS[0].__name__.lower()}-name" not in request.POST:
        return None  # not posted from the editor form
    if revisions.claim(template, request.POST.get("base_revision")):  # locked until the revision is recorded
        return _form_conflict(request, template)
    slots = editing.slots_of(template)
    root = services.render(template, slots)
    sections, devices = _forms(template, root, slots, data=request.POST)
    edit = _edit_from(sections, devices)
    errors = list(_form_errors(sections, devices))
    rows = None
    if "param_name" in request.POST:
        rows = list(zip(request.POST.getlist("param_name"), request.POST.getlist("param_default"), strict=False))
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
    slots = editing.slots_of(template)
    root = services.render(template, slots)
    sections, devices = _forms(template, root, slots, data=request.POST)
    for d in devices:  # a device added since has no values in this form: left as it is
        if d["form"] is not None and not any(k.startswith(f"slot{d['slot'].pk}-") for k in request.POST):
            d["form"] = None
    with contextlib.suppress(InvalidValues):  # shown with what could be applied
        editing.apply_edit(root, slots, _edit_from(sections, devices))
    rows = zip(request.POST.getlist("param_name"), request.POST.getlist("param_default"), strict=False)
    params = [(n.strip(), d) for n, d in rows if n.strip()]
    return template_conflict(request, template, to_string(root) + "\n", form=True, params=params)


def _get(request: HttpRequest, pk: int, action: Action) -> DomainTemplate:
    return access.get_or_404(DomainTemplate.objects.select_related("published"), request.user, action, pk=pk)


def _read_or_edit(request: HttpRequest) -> Action:
    return Action.EDIT if request.method == "POST" else Action.VIEW


def editor(request: HttpRequest, pk: int) -> HttpResponse:
    template = _get(request, pk, _read_or_edit(request))
    try:
        root = services.render(template)
    except XMLInputError as e:
        return render(request, "editor/broken.html", {"template": template, "error": str(e)}, status=500)
    if request.method == "POST":
        refused = save_posted(request, template)
        if refused is not None:
            return refused
        messages.success(request, "Saved.")
        return redirect("template-editor", pk=template.pk)
    slots = editing.slots_of(template)
    sections, devices = _forms(template, root, slots)
    host = check_host(request)
    # The host is asked for its capabilities when chosen, not on every visit (a slow host would
    # make every page slow); "Refresh" on the host page asks again.
    fetch = "check_host" in request.GET
    context = _context(template, root, slots, sections, devices, user=request.user, host=host, fetch=fetch)
    return render(request, "editor/template_editor.html", context)


def _context(template, root, slots, sections, devices, errors=(), base=None, user=None, host=None, fetch=False):
    preview = _preview(template, root, slots, errors, host=host, fetch=fetch)
    offer = offer_for(host, fetch=False) if host is not None else None
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
        "kinds": [(tag, cls.label) for tag, cls in DEVICES.items()],
        "preview": preview,
        "refused": bool(errors),  # the page shows values that are not saved
    }


@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole domain as the form now says, not saved: XML, validation, errors at their fields."""
    # Without the published revision _get joins in: its snapshot is not needed on every keystroke.
    template = access.get_or_404(DomainTemplate, request.user, Action.VIEW, pk=pk)
    slots = editing.slots_of(template)
    root = services.render(template, slots)
    form = posted.read(template, root, slots, request.POST)
    errors = list(form.errors())
    notes = []
    try:
        editing.apply_edit(root, slots, form.edit, notes)
    except InvalidValues as e:
        errors.append(("", str(e)))
    preview = _preview(template, root, slots, errors, host=check_host(request), notes=notes)
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
    template = _get(request, pk, _read_or_edit(request))
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
        text = services.render_xml(template)
    status = 422 if error else 200
    base = request.POST.get("base_revision") or revisions.latest_number(template)
    context = {"template": template, "text": text, "error": error, "base_revision": base}
    context["rights"] = rights(request.user, template)
    return render(request, "editor/raw_xml.html", context, status=status)


@require_POST
def parameters(request: HttpRequest, pk: int) -> HttpResponse:
    template = _get(request, pk, Action.EDIT)
    refused = save_posted(request, template)
    if refused is not None:
        return refused
    if f"{SECTIONS[0].__name__.lower()}-name" not in request.POST:  # posted on its own
        rows = list(zip(request.POST.getlist("param_name"), request.POST.getlist("param_default"), strict=False))
        errors = editing.set_parameters(template, rows)
        for e in errors:
            messages.error(request, e)
        if errors:
            return redirect(reverse("template-editor", args=[template.pk]) + "#parameters")
    messages.success(request, "Saved the parameters.")
    return redirect(reverse("template-editor", args=[template.pk]) + "#parameters")


def _download(xml: str, name: str) -> HttpResponse:
    response = HttpResponse(xml, content_type="application/xml")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "domain"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xml"'
    return response


def download(request: HttpRequest, pk: int) -> HttpResponse:
    """NAME.xml; when it does not validate, a page that says why, with "Download anyway".

    The published revision unless `?revision=` asks for the draft or another one."""
    template = _get(request, pk, Action.VIEW)
    try:
        version = publishing.version(template, request.GET.get("revision"))
    except publishing.NoSuchVersion as e:
        raise Http404(str(e)) from None
    # The parameters' defaults filled in, as the editor's preview checks it.
    root = editing.with_defaults(template, version.root, version.parameters)
    problems = services.check(root)
    if any(p.level == "error" for p in problems) and not request.GET.get("anyway"):
        query = request.GET.copy()
        query["anyway"] = "1"
        anyway = f"{request.path}?{query.urlencode()}"
        context = {"template": template, "problems": problems, "anyway": anyway, "version": version}
        return render(request, "editor/download_blocked.html", context, status=409)
    return _download(to_string(root) + "\n", root.findtext("name") or template.name)


def bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """NAME.bundle.json: the template with the profiles it links to, for another installation."""
    template = _get(request, pk, Action.VIEW)
    response = HttpResponse(bundles.dumps(template).encode("utf-8"), content_type="application/json")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in template.name) or "template"
    response["Content-Disposition"] = f'attachment; filename="{safe}.bundle.json"'
    return response


def render_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the parameters, show the guest it gives, download it (the published revision unless
    `?revision=` asks for the draft or another one)."""
    template = _get(request, pk, Action.VIEW)
    try:
        version = publishing.version(template, request.GET.get("revision"))
    except publishing.NoSuchVersion as e:
        raise Http404(str(e)) from None
    values = {p["name"]: request.GET.get(f"p_{p['name']}", "") for p in version.parameters}
    kept = Identities(request.GET.get("g_uuid", ""), request.GET.getlist("g_mac"))
    rendered = editing.render_instance(template, values, kept, version=version)
    problems = services.check(rendered.root)
    if request.GET.get("download"):
        if any(p.level == "error" for p in problems) and not request.GET.get("anyway"):
            pass  # fall through to the page, which says why and offers "Download anyway"
        else:
            return _download(to_string(rendered.root) + "\n", rendered.root.findtext("name") or template.name)
    xml = to_string(rendered.root)
    fields = [(p["name"], values[p["name"]], p.get("default", "")) for p in version.parameters]
    context = {
        "template": template,
        "version": version,
        "revision_asked": request.GET.get("revision", ""),
        "draft_ahead": publishing.is_draft_ahead(template),
        "fields": fields,
        "rendered": rendered,
        "shown_xml": xml,
        "problems": problems,
        "errors": any(p.level == "error" for p in problems),
        "query": request.GET.urlencode(),
    }
    response = render(request, "editor/render.html", context)
    return trigger_client_event(response, "rendered") if request.htmx else response


def fork(request: HttpRequest, pk: int) -> HttpResponse:
    """A copy of the template in the person's own space or a team they edit in; the original
    stays as it is."""
    template = _get(request, pk, Action.VIEW)
    teams = access.teams_to_share_with(request.user)
    name, copy_profiles, error, team_id = f"{template.name}-copy", False, "", ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        copy_profiles = bool(request.POST.get("copy_profiles"))
        team_id = request.POST.get("team", "")
        team = teams.filter(pk=team_id).first() if team_id.isdigit() else None
        if team_id and team is None:
            error = "You can fork only into your own space or a team you are an editor in."
        else:
            try:
                with transaction.atomic():
                    forked = editing.fork(template, owner=request.user, copy_profiles=copy_profiles, name=name or None)
                    if team is not None:  # the fork and its copied profiles go to the team
                        for obj in [forked, *editing.copied_profiles(forked, template)]:
                            access.share(request.user, obj, team, "team")
            except XMLInputError as e:
                error = str(e)
            else:
                where = f" in {team.name}" if team else ""
                messages.success(request, f"Forked {template.name} as {forked.name}{where}.")
                return redirect("template-editor", pk=forked.pk)
    context = {
        "template": template,
        "name": name,
        "copy_profiles": copy_profiles,
        "error": error,
        "teams": teams,
        "team_id": team_id,
    }
    return render(request, "editor/fork.html", context, status=422 if error else 200)
