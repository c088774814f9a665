from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import render as render_page

from builder.domainxml.parse import XMLInputError
from builder.library import services
from builder.library.models import DeviceProfile, DomainTemplate


def library(request: HttpRequest) -> HttpResponse:
    templates = DomainTemplate.objects.annotate(devices=Count("slots")).order_by("name")
    profiles = DeviceProfile.objects.order_by("kind", "name")
    return render_page(request, "editor/library.html", {"templates": templates, "profiles": profiles})


def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(DomainTemplate, pk=pk)
    try:
        root = services.render(template)
        xml, problems, error = services.render_xml(template), services.check(root), ""
    except XMLInputError as e:
        xml, problems, error = "", [], str(e)
    return render_page(
        request, "editor/template_detail.html", {"template": template, "xml": xml, "problems": problems, "error": error}
    )


def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(DomainTemplate, pk=pk)
    response = HttpResponse(services.render_xml(template), content_type="application/xml")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in template.name) or "domain"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xml"'
    return response
