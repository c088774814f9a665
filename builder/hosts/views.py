"""Hosts, pushing a template to one, and the domains the builder defined there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from builder.library import access, publishing, rendering
from builder.library.access import Action
from builder.library.models import DomainTemplate

from . import capability_cache, rights
from . import push as pushing
from .capability_cache import host_check
from .changes import classify
from .client import HostError, bindings_available
from .host_rules import policy_problems
from .models import Deployment, Host, HostCapabilities, policy_of


def hosts(request: HttpRequest) -> HttpResponse:
    context = {
        "hosts": rights.hosts_seen(request.user).prefetch_related("teams"),
        "bindings": bindings_available(),
        "may_add": request.user.is_superuser,
    }
    return render(request, "hosts/hosts.html", context)


def _host(request: HttpRequest, pk: int) -> Host:
    host = rights.hosts_seen(request.user).filter(pk=pk).first()
    if host is None:
        raise Http404("No such host, or it is not open to your teams.")
    return host


def host(request: HttpRequest, pk: int) -> HttpResponse:
    target = _host(request, pk)
    deployments = list(rights.visible_deployments(request.user, target)[:200])
    states, error = pushing.states(target, deployments)
    # One row per domain the builder defined and has not undefined: its latest push.
    domains, seen = [], set()
    for d in deployments:
        if d.returned_xml and d.domain_uuid and not d.undefined and d.domain_uuid not in seen:
            seen.add(d.domain_uuid)
            d.live = states.get(d.domain_uuid, {}).get("state", "unknown" if error else "not on the host")
            d.may_manage = rights.may_manage(request.user, d)
            domains.append(d)
    context = {
        "host": target,
        "domains": domains,
        "deployments": deployments,
        "state_error": error,
        "caps": HostCapabilities.objects.filter(host=target).first(),
        "offer": capability_cache.offer_for(target, fetch=False),
        "policy": policy_of(target),
        "may_refresh": rights.may_refresh(request.user, target),
        "may_administer": rights.may_administer(request.user, target),
    }
    return render(request, "hosts/host.html", context)


@require_POST
def refresh_capabilities(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the host again what it can run (the forms and checks use the cached answer)."""
    target = _host(request, pk)
    if not rights.may_refresh(request.user, target):
        raise PermissionDenied("Asking a host again takes editor rights in a team it is open to.")
    cache = capability_cache.refresh(target)
    if cache.error:
        messages.error(request, f"The host did not say: {cache.error}")
    else:
        messages.success(request, "Asked the host again what it can run.")
    return redirect("host", pk=pk)


def push_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a host, a version and the parameters; "Define on host" or "Define and start"."""
    template = access.get_or_404(DomainTemplate, request.user, Action.VIEW, pk=pk)
    targets = rights.hosts_for(request.user, template)
    which = request.GET.get("revision", "") if request.method == "GET" else request.POST.get("revision", "")
    try:
        version = publishing.version(template, which)
    except publishing.NoSuchVersion as e:
        raise Http404(str(e)) from None
    source = request.POST if request.method == "POST" else request.GET
    values = {p["name"]: source.get(f"p_{p['name']}", "") for p in version.parameters}
    name = source.get("name", "")
    chosen = targets.filter(pk=source.get("host")).first() if source.get("host", "").isdigit() else None
    chosen = chosen or targets.first()
    status = 200
    if request.method == "POST":
        if not bindings_available():
            messages.error(request, "Pushing is unavailable: libvirt-python is not installed on this server.")
        elif chosen is None or str(chosen.pk) != source.get("host"):
            messages.error(request, "Choose a host you may push this template to.")
            status = 403
        else:
            given = {k: v for k, v in values.items() if v}
            if name and "name" not in values:
                given["name"] = name
            start = "start" in request.POST
            deployment = pushing.push(template, chosen, request.user, start=start, values=given, which=which or None)
            return redirect("deployment", pk=deployment.pk)
    context = {
        "template": template,
        "hosts": targets,
        "chosen": chosen,
        "version": version,
        "revision_asked": which,
        "fields": [(p["name"], values[p["name"]], p.get("default", "")) for p in version.parameters],
        "name": name,
        "name_is_parameter": "name" in values,
        "bindings": bindings_available(),
        "host_problems": host_check(chosen, version.root) if chosen else None,
        **_policy_context(chosen, template, version),
    }
    return render(request, "hosts/push.html", context, status=status)


def _policy_context(host: Host | None, template: DomainTemplate, version) -> dict:
    if host is None:
        return {}
    found = policy_problems(host, rendering.with_defaults(template, version.root, version.parameters), named=False)
    return {
        "policy_errors": [p for p in found if p.level == "error"],
        "policy_warnings": [p for p in found if p.level != "error"],
    }


def _deployment(request: HttpRequest, pk: int) -> Deployment:
    d = Deployment.objects.select_related("host", "template", "user").filter(pk=pk).first()
    if d is None or not rights.may_see_deployment(request.user, d):
        raise Http404("No such push.")
    return d


def _managed(request: HttpRequest, pk: int) -> Deployment:
    """A push whose domain this person may start, stop, undefine or check (Django's 403 page if not)."""
    d = _deployment(request, pk)
    if not rights.may_manage(request.user, d):
        raise PermissionDenied("Only those who may push this template to this host may do this.")
    return d


def deployment(request: HttpRequest, pk: int) -> HttpResponse:
    d = _deployment(request, pk)
    changes = classify(d.sent_xml, d.returned_xml) if d.returned_xml else None
    context = {"d": d, "changes": changes, "may_manage": rights.may_manage(request.user, d)}
    return render(request, "hosts/deployment.html", context)


OPS = {
    "start": ("Start", "Start {name} on {host}?"),
    "destroy": (
        "Shut off",
        "Shut off {name} on {host}? This is pulling the plug: the guest gets no chance to shut down.",
    ),
    "undefine": ("Undefine", "Undefine {name} on {host}? libvirt forgets the domain (its disk images stay)."),
}


def act(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    """A page that asks first; the POST does it."""
    d = _managed(request, pk)
    if op not in OPS:
        raise Http404("No such action.")
    label, question = OPS[op]
    if request.method == "POST":
        outcome = pushing.act(d, op)
        (messages.success if outcome.ok else messages.error)(request, outcome.message)
        return redirect("host", pk=d.host_id)
    context = {"d": d, "label": label, "question": question.format(name=d.domain_name, host=d.host.name), "op": op}
    return render(request, "hosts/confirm.html", context)


@require_POST
def check_drift(request: HttpRequest, pk: int) -> HttpResponse:
    d = _managed(request, pk)
    try:
        differences, error = pushing.drift(d), ""
    except HostError as e:
        differences, error = None, str(e)
    return render(request, "hosts/drift.html", {"d": d, "differences": differences, "error": error})
