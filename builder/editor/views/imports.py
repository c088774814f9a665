"""Import page: files (one request per file from the page's script, for progress), pasted XML or a bundle."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from builder.domainxml.parse import XMLInputError
from builder.library.bundles import BundleError, import_bundle, max_bundle_bytes
from builder.library.services import import_domain


def _import(data: bytes, name: str, request) -> dict:
    owner = request.user if request.user.is_authenticated else None
    try:
        result = import_domain(data, owner=owner, fallback_name=name.rsplit(".", 1)[0] or "imported")
    except XMLInputError as e:
        return {"name": name, "error": str(e)}
    return {"name": name, "template": result.template, "warnings": result.warnings}


def _import_bundle(upload, request) -> dict:
    owner = request.user if request.user.is_authenticated else None
    try:
        template, notes = import_bundle(upload.read(max_bundle_bytes() + 1), owner=owner)
    except BundleError as e:
        return {"name": upload.name, "error": str(e)}
    return {"name": upload.name, "template": template, "warnings": [], "notes": notes}


def import_page(request: HttpRequest) -> HttpResponse:
    results = []
    if request.method == "POST":
        for upload in request.FILES.getlist("files"):
            results.append(_import(upload.read(), upload.name, request))
        for upload in request.FILES.getlist("bundle"):
            results.append(_import_bundle(upload, request))
        pasted = request.POST.get("pasted", "").strip()
        if pasted:
            results.append(_import(pasted.encode("utf-8"), "pasted XML", request))
    status = 422 if any("error" in r for r in results) else 200
    return render(
        request, "editor/import.html", {"results": results, "posted": request.method == "POST"}, status=status
    )


@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    """One file, for the page's script: answers with that file's result row."""
    upload = request.FILES.get("file")
    if upload is None:
        return HttpResponse("no file in the request", status=400)
    result = _import(upload.read(), upload.name, request)
    return render(request, "editor/import.html#result", {"r": result}, status=422 if "error" in result else 200)
