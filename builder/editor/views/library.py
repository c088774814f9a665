"""The library: templates and device profiles, searchable and filterable."""

import re

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from builder.domainxml.elements import DEVICES
from builder.library.models import DeviceProfile, DomainTemplate


def library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    owner = request.GET.get("owner", "")
    templates = DomainTemplate.objects.annotate(devices=Count("slots")).select_related("owner").order_by("name")
    profiles = DeviceProfile.objects.select_related("owner").order_by("kind", "name")
    if q:
        templates = templates.filter(Q(name__icontains=q) | Q(description__icontains=q))
        profiles = profiles.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(summary__icontains=q))
    if kind:
        profiles = profiles.filter(kind=kind)
        # Templates with such a device: linked to a profile of that kind, or in their own XML.
        own = rf"^\s*(<!--(.|\n)*?-->\s*)*<{re.escape(kind)}[\s/>]"
        templates = templates.filter(Q(slots__profile__kind=kind) | Q(slots__xml__regex=own)).distinct()
    if owner:
        templates = templates.filter(owner__username=owner)
        profiles = profiles.filter(owner__username=owner)
    context = {
        "templates": templates,
        "profiles": profiles,
        "q": q,
        "kind": kind,
        "owner": owner,
        "owners": User.objects.filter(Q(domaintemplate__isnull=False) | Q(deviceprofile__isnull=False))
        .distinct()
        .order_by("username")
        .values_list("username", flat=True),
        "kinds": [(tag, cls.label) for tag, cls in DEVICES.items()],
    }
    template_name = "editor/library.html#results" if request.htmx else "editor/library.html"
    return render(request, template_name, context)
