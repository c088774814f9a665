"""Device profiles: the same fields and tooltips as a template's devices, on their own."""

import contextlib

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from builder.domainxml.assemble import to_string
from builder.domainxml.element import InvalidValues
from builder.domainxml.elements import DEVICES
from builder.domainxml.parse import XMLInputError, parse_xml
from builder.editor.conflicts import conflict_page
from builder.editor.forms import form_for
from builder.editor.rights import ownership
from builder.library import access, revisions
from builder.library.access import Action
from builder.library.models import DeviceProfile, DomainTemplate
from builder.library.services import check_device

# What a profile's page posts besides its XML: shown, latest and as typed, on a conflict.
PLAIN_VALUES = (("Name", "name"), ("Description", "description"))


def new(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    if kind not in DEVICES:
        return render(request, "editor/profile_new.html", {"kinds": [(t, c.label) for t, c in DEVICES.items()]})
    if request.method == "POST":
        cls = DEVICES[kind]
        name = request.POST.get("name", "").strip()[:200] or f"New {cls.label.lower()}"
        device = cls.fresh([])
        if "mac" in cls.fields:
            # A profile is shared by many guests: no MAC of its own, each rendered guest gets one.
            device.apply({"mac": None})
        profile = DeviceProfile.objects.create(
            name=name,
            xml=to_string(device.node),
            owner=request.user,
        )
        messages.success(request, f"Created profile {profile.name}.")
        return redirect("profile-editor", pk=profile.pk)
    return render(request, "editor/profile_new.html", {"kind": kind, "label": DEVICES[kind].label})


def _node(profile: DeviceProfile):
    try:
        return parse_xml(profile.xml)
    except XMLInputError:
        raise Http404("this profile's XML cannot be read") from None


def _used_by(profile: DeviceProfile, user) -> list:
    """The devices linked to this profile in templates `user` may see."""
    seen = access.visible(DomainTemplate.objects.all(), user)
    return list(profile.slots.filter(template__in=seen).select_related("template").order_by("template__name"))


def editor(request: HttpRequest, pk: int) -> HttpResponse:
    action = Action.EDIT if request.method == "POST" else Action.VIEW
    profile = access.get_or_404(DeviceProfile, request.user, action, pk=pk)
    # Before the profile is read for the edit: claim reloads it, locked until the revision is recorded.
    if request.method == "POST" and revisions.claim(profile, request.POST.get("base_revision")):
        return _conflict(request, profile)
    node = _node(profile)
    cls = DEVICES.get(node.tag)
    # Bound only when the fields were posted: after a refused raw XML the fields show the profile as stored.
    fields_posted = request.method == "POST" and "xml" not in request.POST
    form = form_for(cls, "profile", node=node, data=request.POST if fields_posted else None) if cls else None
    error = ""
    if request.method == "POST":
        node, error = _posted(request, profile, node, cls, form)
        if not error:
            profile.xml = to_string(node)
            profile.save()
            # Counted only in templates this person may see: others' private ones are not told of.
            used = len(_used_by(profile, request.user))
            follow = "devices follow" if used != 1 else "device follows"
            messages.success(request, f"Saved. {used} template {follow} this profile in templates you can see.")
            return redirect("profile-editor", pk=profile.pk)
    xml = request.POST.get("xml") if error and "xml" in request.POST else to_string(node)
    context = {
        "profile": profile,
        **ownership(request.user, profile),
        "form": form,
        "cls": cls,
        "error": error,
        "xml": xml,
        "shown_xml": to_string(node),
        "problems": check_device(node),
        "raw_error": bool(error) and "xml" in request.POST,
        "used_by": _used_by(profile, request.user),
        "base_revision": request.POST.get("base_revision") or revisions.latest_number(profile),
        # Where field_row finds each field's messages, as on the template editor.
        "preview": {"placed": {f"profile-{n}": es for n, es in form.errors.items()} if form is not None else {}},
    }
    return render(request, "editor/profile_editor.html", context, status=422 if error else 200)


def _posted(request: HttpRequest, profile: DeviceProfile, node, cls, form) -> tuple:
    """(the device as posted, "" or why it is refused): from the fields or the raw XML tab. The name and
    description posted are set on `profile` either way, so a refused page shows them as typed."""
    profile.name = request.POST.get("name", profile.name).strip()[:200] or profile.name
    profile.description = request.POST.get("description", profile.description)
    if "xml" in request.POST:  # the raw XML tab
        try:
            typed = parse_xml(request.POST["xml"])
        except XMLInputError as e:
            return node, str(e)
        if typed.tag != profile.kind:  # also for a kind the form does not know
            return node, f"a {profile.kind} profile needs a <{profile.kind}> element"
        return typed, ""  # only once accepted: a refused text is not shown as the profile
    if form is None:
        return node, ""  # a kind the form does not know: only its name and description were posted
    if not form.is_valid():
        return node, "Some values are not accepted; see the fields marked below."
    try:
        cls(node).apply(form.values())
    except InvalidValues as e:
        return node, str(e)
    return node, ""


def _conflict(request: HttpRequest, profile: DeviceProfile) -> HttpResponse:
    """Someone saved the profile since this page was loaded: nothing saved; the profile as it is now
    beside the person's version (their raw XML, or their field values applied to the latest XML)."""
    applied = "xml" not in request.POST
    if applied:
        node = _node(profile)
        cls = DEVICES.get(node.tag)
        if cls is not None:
            form = form_for(cls, "profile", node=node, data=request.POST)
            form.is_valid()
            with contextlib.suppress(InvalidValues):  # shown with what could be applied
                cls(node).apply(form.values())
        yours = to_string(node)
    else:
        yours = request.POST["xml"]
    typed = [(label, getattr(profile, k), request.POST.get(k, getattr(profile, k))) for label, k in PLAIN_VALUES]
    url = reverse("profile-editor", args=[profile.pk])
    return conflict_page(
        request,
        subject=profile.name,
        subject_url=url,
        reload_url=url,
        reload_what="profile",
        latest=profile.revisions.order_by("-number").first(),
        latest_text=profile.xml,
        yours=yours,
        form=applied,
        rows=typed,
    )


@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.get_or_404(DeviceProfile, request.user, Action.VIEW, pk=pk)
    node = _node(profile)
    cls = DEVICES.get(node.tag)
    if cls is None:  # no fields to apply: the page's name and description changed
        context = {"shown_xml": to_string(node), "placed": {}, "field_ids": []}
        return render(request, "editor/profile_preview.html", context)
    form = form_for(cls, "profile", node=node, data=request.POST)
    form.is_valid()
    errors = [(f"profile-{n}", e) for n, es in form.errors.items() for e in es]
    try:
        cls(node).apply(form.values())
    except InvalidValues as e:
        errors.append(("", str(e)))
    xml = to_string(node)
    placed: dict[str, list[str]] = {}
    for target, message in errors:
        placed.setdefault(target, []).append(message)
    context = {
        "shown_xml": xml,
        "problems": check_device(node),
        "placed": placed,
        "field_ids": [f"profile-{n}" for decl, bfs in form.rows() for n in (bf.name for bf in bfs)],
    }
    return render(request, "editor/profile_preview.html", context)
