"""The library: the templates and device profiles a person may see, searchable and filterable."""

import re

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from builder.domainxml.elements import DEVICES
from builder.library import access
from builder.library.models import DeviceProfile, DomainTemplate

# "mine": owned by me; "teams": belonging to a team I am in; "": all I may see.
SCOPES = [("", "Everything I can see"), ("mine", "Mine"), ("teams", "My teams")]


def _scoped(queryset, user, scope: str):
    queryset = access.visible(queryset, user)
    if scope == "mine":
        return queryset.filter(owner=user)
    if scope == "teams":
        return queryset.filter(team_id__in=list(access.roles(user)))
    return queryset


def library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    owner = request.GET.get("owner", "")
    scope = request.GET.get("scope", "")
    scope = scope if scope in dict(SCOPES) else ""
    user = request.user
    templates = DomainTemplate.objects.annotate(devices=Count("slots")).select_related("owner", "team", "published")
    templates = _scoped(templates, user, scope).order_by("name")
    profiles = _scoped(DeviceProfile.objects.select_related("owner", "team"), user, scope).order_by("kind", "name")
    # The owner choices name only people whose objects this person may see.
    owners = User.objects.filter(
        Q(domaintemplate__in=access.visible(DomainTemplate.objects.all(), user))
        | Q(deviceprofile__in=access.visible(DeviceProfile.objects.all(), user))
    )
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
        "scope": scope,
        "scopes": SCOPES,
        "owners": owners.distinct().order_by("username").values_list("username", flat=True),
        "kinds": [(tag, cls.label) for tag, cls in DEVICES.items()],
    }
    template_name = "editor/library.html#results" if request.htmx else "editor/library.html"
    return render(request, template_name, context)
