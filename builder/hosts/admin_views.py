"""Adding, changing and removing hosts in the app: superusers add them; a host's admins (and
superusers) change its URI, teams and policy, or remove it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import rights
from .forms import HostForm, PolicyForm
from .models import Host, policy_of
from .ownership import records


def _administered(request: HttpRequest, pk: int) -> Host:
    host = rights.hosts_seen(request.user).filter(pk=pk).first()
    if host is None:
        raise Http404("No such host, or it is not open to your teams.")
    if not rights.may_administer(request.user, host):
        raise PermissionDenied("Only superusers and this host's admins may change it.")
    return host


def _save(request: HttpRequest, host: Host | None) -> HttpResponse:
    by_superuser = request.user.is_superuser
    data = request.POST if request.method == "POST" else None
    form = HostForm(data, instance=host, by_superuser=by_superuser, prefix="host")
    policy = PolicyForm(data, instance=policy_of(host) if host else None, prefix="policy")
    if data is not None and form.is_valid() and policy.is_valid():
        with transaction.atomic():
            saved = form.save()
            policy.instance.host = saved
            policy.save()
        messages.success(request, f"Saved {saved.name}.")
        return redirect("host", pk=saved.pk)
    status = 400 if data is not None else 200
    return render(request, "hosts/host_form.html", {"form": form, "policy": policy, "host": host}, status=status)


def add_host(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied("Only superusers add hosts.")
    return _save(request, None)


def edit_host(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, _administered(request, pk))


def remove_host(request: HttpRequest, pk: int) -> HttpResponse:
    host = _administered(request, pk)
    if request.method == "POST":
        name = host.name
        host.delete()
        messages.success(request, f"Removed {name}. libvirt keeps its domains; the builder no longer knows them.")
        return redirect("hosts")
    context = {"host": host, "live": len(records(host)), "pushes": host.deployments.count()}
    return render(request, "hosts/remove.html", context)
