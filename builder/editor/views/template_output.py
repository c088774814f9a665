"""What a template gives: its XML download, its bundle, a rendered guest, a fork."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import trigger_client_event

from builder.domainxml.assemble import to_string
from builder.domainxml.parameters import Identities
from builder.domainxml.parse import XMLInputError
from builder.library import access, bundles, editing, publishing, rendering, services
from builder.library.access import Action

from .template_editor import get_template


def file_name(name: str, fallback: str) -> str:
    """`name` as a download's file name: letters, digits, - _ and . kept, anything else _."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or fallback


def attachment(content, content_type: str, filename: str) -> HttpResponse:
    """A response the browser saves as `filename` (already cleaned by file_name) instead of showing."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xml_download(root, fallback_name: str) -> HttpResponse:
    """NAME.xml of a domain, named after its <name>."""
    name = file_name(root.findtext("name") or fallback_name, "domain")
    return attachment(to_string(root) + "\n", "application/xml", f"{name}.xml")


def _version(request: HttpRequest, template) -> publishing.Version:
    """The version `?revision=` asks for (by default the published one); 404 when there is none such."""
    try:
        return publishing.version(template, request.GET.get("revision"))
    except publishing.NoSuchVersion as e:
        raise Http404(str(e)) from None


def download(request: HttpRequest, pk: int) -> HttpResponse:
    """NAME.xml; when it does not validate, a page that says why, with "Download anyway".

    The published revision unless `?revision=` asks for the draft or another one."""
    template = get_template(request, pk, Action.VIEW)
    version = _version(request, template)
    # The parameters' defaults filled in, as the editor's preview checks it.
    root = rendering.with_defaults(template, version.root, version.parameters)
    problems = services.check(root)
    if any(p.level == "error" for p in problems) and not request.GET.get("anyway"):
        query = request.GET.copy()
        query["anyway"] = "1"
        anyway = f"{request.path}?{query.urlencode()}"
        context = {"template": template, "problems": problems, "anyway": anyway, "version": version}
        return render(request, "editor/download_blocked.html", context, status=409)
    return _xml_download(root, template.name)


def bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """NAME.bundle.json: the template with the profiles it links to, for another installation."""
    template = get_template(request, pk, Action.VIEW)
    name = file_name(template.name, "template")
    return attachment(bundles.dumps(template).encode("utf-8"), "application/json", f"{name}.bundle.json")


def render_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the parameters, show the guest it gives, download it (the published revision unless
    `?revision=` asks for the draft or another one)."""
    template = get_template(request, pk, Action.VIEW)
    version = _version(request, template)
    values = {p["name"]: request.GET.get(f"p_{p['name']}", "") for p in version.parameters}
    kept = Identities(request.GET.get("g_uuid", ""), request.GET.getlist("g_mac"))
    rendered = rendering.render_instance(template, values, kept, version=version)
    problems = services.check(rendered.root)
    if request.GET.get("download"):
        if any(p.level == "error" for p in problems) and not request.GET.get("anyway"):
            pass  # fall through to the page, which says why and offers "Download anyway"
        else:
            return _xml_download(rendered.root, template.name)
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
    template = get_template(request, pk, Action.VIEW)
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
