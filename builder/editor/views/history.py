"""Revisions of templates and profiles: the list, a diff of any two, restoring an old one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from builder.editor.diff_view import diff_lines
from builder.editor.rights import rights
from builder.library import access, restoring
from builder.library.access import Action
from builder.library.models import DeviceProfile, DomainTemplate, ProfileRevision, TemplateRevision


def _compare(request: HttpRequest, revs: list, text) -> dict:
    """The list, the two revisions chosen for comparing (?a=older&b=newer) and their diff, if asked.

    `revs`: newest first; `text(revision)`: what is compared (the rendered domain, a profile's XML)."""
    by_number = {r.number: r for r in revs}
    numbers = [r.number for r in revs]

    def chosen(key, default):
        value = request.GET.get(key, "")
        return int(value) if value.isdigit() and int(value) in by_number else default

    new = chosen("b", numbers[0] if numbers else None)
    old = chosen("a", numbers[1] if len(numbers) > 1 else new)
    diff = None
    if "a" in request.GET and old is not None and new is not None:
        a, b = by_number[old], by_number[new]
        diff = diff_lines(text(a), text(b), f"revision {a.number}", f"revision {b.number}")
    return {"revisions": revs, "latest": numbers[0] if numbers else None, "old": old, "new": new, "diff": diff}


def history(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_or_404(DomainTemplate, request.user, Action.VIEW, pk=pk)
    revs = list(template.revisions.select_related("author").order_by("-number"))
    context = {
        "template": template,
        "rights": rights(request.user, template),
        **_compare(request, revs, lambda r: r.rendered),
    }
    return render(request, "editor/history.html", context)


@require_POST
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    template = access.get_or_404(DomainTemplate, request.user, Action.EDIT, pk=pk)
    revision = get_object_or_404(TemplateRevision, template=template, number=number)
    restoring.restore(template, revision)
    messages.success(request, f"Restored revision {number} as a new revision.")
    return redirect("template-history", pk=template.pk)


def profile_history(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.get_or_404(DeviceProfile, request.user, Action.VIEW, pk=pk)
    revs = list(profile.revisions.select_related("author").order_by("-number"))
    context = {
        "profile": profile,
        "rights": rights(request.user, profile),
        **_compare(request, revs, lambda r: r.xml + "\n"),
    }
    return render(request, "editor/profile_history.html", context)


@require_POST
def profile_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    profile = access.get_or_404(DeviceProfile, request.user, Action.EDIT, pk=pk)
    revision = get_object_or_404(ProfileRevision, profile=profile, number=number)
    profile.xml, profile.name = revision.xml, revision.name
    if revision.description is not None:  # None: made before descriptions were kept, so not known
        profile.description = revision.description
    profile.save()  # the post_save signal records the new revision, with this request's message
    messages.success(request, f"Restored revision {number} as a new revision.")
    return redirect("profile-history", pk=profile.pk)
