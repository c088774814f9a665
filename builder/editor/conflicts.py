"""The answer to a save made from a page loaded before someone else saved (409): nothing is saved,
and the latest version and the person's own are shown side by side with their differences, so
nothing typed is lost. Every page that saves from a loaded revision answers with it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from builder.editor.diff_view import diff_lines
from builder.library import revisions


def conflict_page(
    request: HttpRequest,
    *,
    subject: str,
    subject_url: str,
    reload_url: str,
    reload_what: str,
    latest,
    latest_text: str,
    yours: str,
    form: bool = False,
    params=(),
    rows=(),
) -> HttpResponse:
    """`latest`: the latest revision (its number and author are named); `latest_text` and `yours`: the
    two texts compared; `form`: `yours` is the person's form values applied to the latest text;
    `rows`: (label, latest, yours) of values not in the texts (a profile's name and description)."""
    context = {
        "subject": subject,
        "subject_url": subject_url,
        "reload_url": reload_url,
        "reload_what": reload_what,
        "base": request.POST.get("base_revision", ""),
        "latest": latest,
        "latest_text": latest_text,
        "theirs": yours,
        "form": form,
        "params": params,
        "rows": rows,
        "message": request.POST.get("message", ""),
        "diff": diff_lines(latest_text, yours, "latest", "yours"),
    }
    return render(request, "editor/conflict.html", context, status=409)


def template_conflict(request: HttpRequest, template, yours: str, form: bool = False, params=()) -> HttpResponse:
    """A template's editor form (`form`: `yours` is its values applied to the latest) or raw XML."""
    latest = revisions.latest(template)
    editor_url = reverse("template-editor", args=[template.pk])
    return conflict_page(
        request,
        subject=template.name,
        subject_url=editor_url,
        reload_url=editor_url if form else reverse("template-xml", args=[template.pk]),
        reload_what="editor" if form else "raw XML",
        latest=latest,
        latest_text=latest.rendered if latest else "",
        yours=yours,
        form=form,
        params=params,
    )
