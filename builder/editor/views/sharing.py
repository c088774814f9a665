"""Who sees an object, publishing a template's revision, and deleting."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from builder.library import access, links, publishing
from builder.library.access import Action
from builder.library.models import DeviceProfile, DomainTemplate, Team

MODELS = {"templates": (DomainTemplate, "template-editor"), "profiles": (DeviceProfile, "profile-editor")}


@require_POST
def share(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model, page = MODELS[kind]
    obj = access.get_or_404(model, request.user, Action.SHARE, pk=pk)
    team_id = request.POST.get("team", "")
    team = Team.objects.filter(pk=team_id).first() if team_id.isdigit() else None
    if team_id and team is None:
        messages.error(request, "Nothing changed: that team does not exist.")
        return redirect(page, pk=obj.pk)
    try:
        detached = access.share(request.user, obj, team, request.POST.get("visibility", ""))
    except access.SharingError as e:
        messages.error(request, f"Nothing changed: {e}.")
    else:
        messages.success(request, f"Now visible to: {obj.get_visibility_display().split(':')[0].lower()}.")
        if detached and isinstance(obj, DomainTemplate):
            messages.info(
                request, "Devices linked to profiles not shared that widely are now this template's own copies."
            )
        elif detached:
            messages.info(
                request, "Templates shared more widely than this profile now keep its device as their own copy."
            )
    return redirect(page, pk=obj.pk)


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_or_404(DomainTemplate, request.user, Action.PUBLISH, pk=pk)
    number = request.POST.get("number", "")
    try:
        revision = publishing.publish(template, request.user, int(number) if number.isdigit() else None)
    except publishing.NoSuchVersion as e:
        messages.error(request, f"Not published: {e}.")
    else:
        messages.success(request, f"Published revision {revision.number}: rendering and the API now use it.")
    back = request.POST.get("next", "")
    return redirect(back if back in _own_pages(template) else reverse("template-editor", args=[template.pk]))


def _own_pages(template: DomainTemplate) -> set[str]:
    return {reverse("template-editor", args=[template.pk]), reverse("template-history", args=[template.pk])}


def delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A page that asks, then deletes on POST; a profile still in use is kept."""
    model, page = MODELS[kind]
    obj = access.get_or_404(model, request.user, Action.DELETE, pk=pk)
    if request.method == "POST":
        name = str(obj)
        if isinstance(obj, DeviceProfile):
            links.delete_profile(obj)
        else:
            obj.delete()
        messages.success(request, f"Deleted {name}.")
        return redirect("library")
    context = {"obj": obj, "kind": model._meta.verbose_name, "back": reverse(page, args=[obj.pk])}
    return render(request, "editor/confirm_delete.html", context)
