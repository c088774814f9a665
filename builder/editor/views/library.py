"""The library: the templates and device profiles a person may see, searchable and filterable.

Both lists are paginated (PAGE_SIZE rows each, pages `tpage` and `ppage`), so the page costs the
same few queries whatever the size of the library: per list one count and one page of rows with
their owner, team and published revision joined in, plus one query for the device counts of the
templates on the page.
"""

import re

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from builder.domainxml.elements import DEVICES
from builder.library import access
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate

# "mine": owned by me; "teams": belonging to a team I am in; "": all I may see.
SCOPES = [("", "Everything I can see"), ("mine", "Mine"), ("teams", "My teams")]
PAGE_SIZE = 50


def _scoped(queryset, user, scope: str):
    queryset = access.visible(queryset, user)
    if scope == "mine":
        return queryset.filter(owner=user)
    if scope == "teams":
        return queryset.filter(team_id__in=list(access.roles(user)))
    return queryset


def _page(request: HttpRequest, queryset, param: str):
    """The page of `queryset` asked for in `param`, with the query string for the other pages."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))
    others = request.GET.copy()
    others.pop(param, None)
    page.param, page.others = param, others.urlencode()
    return page


def library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    owner = request.GET.get("owner", "")
    scope = request.GET.get("scope", "")
    scope = scope if scope in dict(SCOPES) else ""
    user = request.user
    templates = DomainTemplate.objects.select_related("owner", "team", "published").defer("xml", "parameters")
    templates = _scoped(templates, user, scope).order_by("name", "id")
    profiles = _scoped(DeviceProfile.objects.select_related("owner", "team").defer("xml"), user, scope)
    profiles = profiles.order_by("kind", "name", "id")
    # The owner choices name only people whose objects this person may see.
    owners = User.objects.filter(
        Q(pk__in=access.visible(DomainTemplate.objects.all(), user).values("owner_id"))
        | Q(pk__in=access.visible(DeviceProfile.objects.all(), user).values("owner_id"))
    )
    if q:
        templates = templates.filter(Q(name__icontains=q) | Q(description__icontains=q))
        profiles = profiles.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(summary__icontains=q))
    if kind:
        profiles = profiles.filter(kind=kind)
        # Templates with such a device: linked to a profile of that kind, or in their own XML.
        # (Comments first, as they travel with their device; "--" cannot occur inside one, so each
        # character of a comment matches one way only: nothing for a regex engine to backtrack through.)
        own = rf"^\s*(?:<!--(?:[^-]|-[^-])*-->\s*)*<{re.escape(kind)}[\s/>]"
        having = DeviceSlot.objects.filter(Q(profile__kind=kind) | Q(xml__regex=own)).values("template_id")
        templates = templates.filter(pk__in=having)
    if owner:
        templates = templates.filter(owner__username=owner)
        profiles = profiles.filter(owner__username=owner)
    template_page = _page(request, templates, "tpage")
    profile_page = _page(request, profiles, "ppage")
    # The device counts of the templates on this page only, in one query.
    shown = list(template_page.object_list)
    devices = dict(
        DeviceSlot.objects.filter(template__in=[t.pk for t in shown])
        .values("template")
        .annotate(n=Count("id"))
        .values_list("template", "n")
    )
    for t in shown:
        t.devices = devices.get(t.pk, 0)
    template_page.object_list = shown
    context = {
        "templates": template_page,
        "profiles": profile_page,
        "q": q,
        "kind": kind,
        "owner": owner,
        "scope": scope,
        "scopes": SCOPES,
        "owners": owners.order_by("username").values_list("username", flat=True),
        "kinds": [(tag, cls.label) for tag, cls in DEVICES.items()],
    }
    template_name = "editor/library.html#results" if request.htmx else "editor/library.html"
    return render(request, template_name, context)
