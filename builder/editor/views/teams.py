"""Teams: the ones I am in, making one, and (for a team's admins) its members and their roles."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from builder.library import access, links
from builder.library.models import Membership, Role, Team


def teams(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            messages.error(request, "Give the team a name.")
        else:
            try:
                with transaction.atomic():
                    team = Team.objects.create(name=name)
                    Membership.objects.create(team=team, user=request.user, role=Role.ADMIN)
            except IntegrityError:
                messages.error(request, f"A team called {name} exists already.")
            else:
                messages.success(request, f"Made team {name}; you are its admin.")
                return redirect("team", pk=team.pk)
    mine = Membership.objects.filter(user=request.user).select_related("team").order_by("team__name")
    return render(request, "editor/teams.html", {"memberships": mine})


def _membership(request: HttpRequest, pk: int) -> Membership:
    """The person's own membership of team `pk`; a team they are not in is "not found"."""
    own = Membership.objects.filter(user=request.user, team_id=pk).select_related("team").first()
    if own is None:
        raise Http404("No such team, or you are not in it.")
    return own


def team(request: HttpRequest, pk: int) -> HttpResponse:
    own = _membership(request, pk)
    members = own.team.memberships.select_related("user").order_by("user__username")
    context = {"team": own.team, "own": own, "members": members, "roles": Role.choices}
    return render(request, "editor/team.html", context)


@require_POST
def members(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member, change a role or remove a member: team admins only; a team keeps an admin."""
    own = _membership(request, pk)
    if own.role != Role.ADMIN:
        messages.error(request, "Only the team's admins change its members.")
        return redirect("team", pk=pk)
    team = own.team
    username = request.POST.get("username", "").strip()
    role = request.POST.get("role", Role.VIEWER)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        messages.error(request, f"There is no account called {username or '(empty)'}.")
        return redirect("team", pk=pk)
    with transaction.atomic():
        list(Membership.objects.select_for_update().filter(team=team))  # one change of a team at a time
        if request.POST.get("remove"):
            Membership.objects.filter(team=team, user=user).delete()
            done = f"Removed {username}."
        elif role in Role.values:
            Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
            done = f"{username} is now {Role(role).label.lower()}."
        else:
            messages.error(request, f"{role!r} is not a role.")
            return redirect("team", pk=pk)
        if not team.memberships.filter(role=Role.ADMIN).exists():
            transaction.set_rollback(True)
            messages.error(request, "Not changed: a team needs at least one admin.")
            return redirect("team", pk=pk)
    access.forget_roles(request.user)
    links.enforce_for_team(team.pk)  # who sees the team's objects changed
    messages.success(request, done)
    return redirect("team", pk=pk)
