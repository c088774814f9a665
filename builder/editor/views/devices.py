"""The devices panel: add, move, remove, detach, save as profile, raw XML of one device."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from builder.domainxml.elements import DEVICES
from builder.domainxml.parse import XMLInputError
from builder.editor.conflicts import conflict_page
from builder.editor.rights import rights
from builder.library import access, editing, links, rendering, revisions
from builder.library.access import Action
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate

from .template_editor import save_posted


def _back(slot_or_template, anchor: str = "devices") -> HttpResponse:
    template = getattr(slot_or_template, "template", slot_or_template)
    return redirect(reverse("template-editor", args=[template.pk]) + f"#{anchor}")


@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_or_404(DomainTemplate, request.user, Action.EDIT, pk=pk)
    if refused := save_posted(request, template):
        return refused
    choice = request.POST.get("device", "")
    if choice.startswith("profile:") and choice[8:].isdigit():
        profile = access.get_or_404(DeviceProfile, request.user, Action.VIEW, pk=int(choice[8:]))
        if links.covers(profile, template):
            slot = editing.add_device(template, profile=profile)
            messages.success(request, f"Added {profile.name} (linked to the profile).")
        else:  # a link would show it to people it is not shared with
            slot = editing.add_device(template, xml=profile.xml)
            messages.info(
                request,
                f"Added a copy of {profile.name}, not linked: the profile is not shared with everyone "
                "who sees this template, so its later changes stay with the people it is shared with.",
            )
    elif choice.startswith("kind:") and choice[5:] in DEVICES:
        if not DEVICES[choice[5:]].may_add({n.tag for n in rendering.device_nodes(rendering.render(template))}):
            messages.error(request, f"libvirt takes one {DEVICES[choice[5:]].label.lower()} per guest; it has one.")
            return _back(template)
        slot = editing.add_device(template, kind=choice[5:])
        messages.success(request, f"Added a new {DEVICES[choice[5:]].label.lower()}.")
    else:
        messages.error(request, "Choose a profile or a kind of device to add.")
        return _back(template)
    return _back(template, f"slot{slot.pk}")


def _slot(request: HttpRequest, pk: int, sid: int, action: Action = Action.EDIT) -> DeviceSlot:
    """The slot `sid` of template `pk`, if the person may do `action` with that template."""
    template = access.get_or_404(DomainTemplate, request.user, action, pk=pk)
    slot = DeviceSlot.objects.select_related("profile").filter(pk=sid, template=template).first()
    if slot is None:
        raise Http404("This template has no such device.")
    slot.template = template
    return slot


def _acting_on(request: HttpRequest, pk: int, sid: int) -> tuple[DeviceSlot, HttpResponse | None]:
    """The slot a device button acts on, once the form it was pressed in is saved (or the refusal)."""
    slot = _slot(request, pk, sid)
    refused = save_posted(request, slot.template)
    if refused is None:
        slot.refresh_from_db()  # the save may have changed its XML
    return slot, refused


@require_POST
def move(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    slot, refused = _acting_on(request, pk, sid)
    if refused:
        return refused
    up = request.POST.get("direction") == "up"
    if editing.move_slot(slot, -1 if up else 1):
        messages.success(request, f"Moved the device {'up' if up else 'down'}.")
    else:
        messages.info(request, "That device is already at the end of the list.")
    return _back(slot, f"slot{slot.pk}")


@require_POST
def remove(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    slot, refused = _acting_on(request, pk, sid)
    if refused:
        return refused
    label = slot.profile.name if slot.profile_id else f"device {slot.position + 1}"
    editing.remove_slot(slot)
    messages.success(request, f"Removed {label}.")
    return _back(slot)


@require_POST
def detach(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    slot, refused = _acting_on(request, pk, sid)
    if refused:
        return refused
    name = slot.profile.name if slot.profile_id else ""
    editing.detach_slot(slot)
    if name:
        messages.success(request, f"Detached from {name}: this device is now this template's own copy.")
    return _back(slot, f"slot{slot.pk}")


@require_POST
def save_as_profile(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    slot, refused = _acting_on(request, pk, sid)
    if refused:
        return refused
    name = request.POST.get(f"profile_name_{slot.pk}", request.POST.get("name", "")).strip()
    if not name:
        messages.error(request, "Give the new profile a name.")
        return _back(slot, f"slot{slot.pk}")
    profile, left_out = editing.save_as_profile(slot, name, owner=request.user)
    template = slot.template
    if template.visibility != "private":
        # Shared like the template it came from, so those who see the template may see it too.
        team = template.team if template.team in access.teams_to_share_with(request.user) else None
        if team is not None or template.visibility == "everyone":
            access.share(request.user, profile, team, template.visibility)
    if links.enforce_for_template(template):
        messages.info(request, "The new profile is private to you, so this template keeps the device as its own copy.")
    messages.success(request, f"Saved as profile {profile.name}; this device is now linked to it.")
    if left_out:
        messages.info(request, f"Left out of the profile, so each guest gets its own: {', '.join(left_out)}.")
    return _back(slot, f"slot{slot.pk}")


def slot_xml(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    slot = _slot(request, pk, sid, Action.EDIT if request.method == "POST" else Action.VIEW)
    error, text = "", slot.device_xml
    if request.method == "POST":
        text = request.POST.get("xml", "")
        # The device is part of the template: based on the template's revision, like its raw XML.
        if revisions.claim(slot.template, request.POST.get("base_revision")):  # locked until the revision is recorded
            return _slot_conflict(request, slot, text)
        try:
            editing.replace_slot_xml(slot, text)
        except XMLInputError as e:
            error = str(e)
        else:
            messages.success(request, "Saved the device XML.")
            return _back(slot, f"slot{slot.pk}")
    base = request.POST.get("base_revision") or revisions.latest_number(slot.template)
    context = {"template": slot.template, "slot": slot, "text": text, "error": error, "base_revision": base}
    context["rights"] = rights(request.user, slot.template)
    return render(request, "editor/slot_xml.html", context, status=422 if error else 200)


def _slot_conflict(request: HttpRequest, slot: DeviceSlot, text: str) -> HttpResponse:
    """Someone saved the template since this page was loaded: nothing saved; the device as it is now
    (or nothing, if it was removed) beside the person's text."""
    template = slot.template
    current = DeviceSlot.objects.select_related("profile").filter(pk=slot.pk, template=template).first()
    editor_url = reverse("template-editor", args=[template.pk])
    return conflict_page(
        request,
        subject=template.name,
        subject_url=editor_url,
        reload_url=reverse("device-xml", args=[template.pk, slot.pk]) if current else editor_url,
        reload_what="device XML" if current else "editor (the device was removed)",
        latest=revisions.latest(template),
        latest_text=current.device_xml if current else "",
        yours=text,
    )
