"""Who may do what with a template or a device profile: the one place these rules live.

- private: only its owner.
- team: its owner and the members of its team.
- everyone: every person with an account.
Whoever may see an object may also render, download and fork it. Changing it and publishing
need its owner, or an editor or admin of its team; deleting it and changing who sees it need its
owner or an admin of its team. A private object stays its owner's alone even when a team is set.
An object without an owner (loaded by a command) belongs to the installation: everyone sees it,
and superusers act as its owner. Nobody, superusers included, sees another person's private object.

Views and the API ask `get_or_404`, lists use `visible`; an object one may not see is "not found"
(its existence is not told), one that may be seen but not changed is "forbidden".
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from . import links
from .models import DeviceProfile, Membership, Role, Team, Visibility

RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Action(StrEnum):
    VIEW = "view"  # also render, download, fork, history
    EDIT = "edit"
    PUBLISH = "publish"
    DELETE = "delete"
    SHARE = "share"  # change its team or visibility


# The least team role an action needs, for an object shared with its team or everyone.
NEEDS = {Action.EDIT: Role.EDITOR, Action.PUBLISH: Role.EDITOR, Action.DELETE: Role.ADMIN, Action.SHARE: Role.ADMIN}


def _user(user):
    return user if user is not None and user.is_authenticated else None


def roles(user) -> dict[int, str]:
    """team id -> the user's role there (cached on the user object for one request)."""
    user = _user(user)
    if user is None:
        return {}
    cached = getattr(user, "_team_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
        user._team_roles = cached
    return cached


def forget_roles(user) -> None:
    if user is not None and hasattr(user, "_team_roles"):
        del user._team_roles


def role_in(user, team: Team | int | None) -> str | None:
    if team is None:
        return None
    return roles(user).get(team if isinstance(team, int) else team.pk)


def visible_q(user) -> Q:
    """The objects `user` may see, as a filter for a DeviceProfile or DomainTemplate query."""
    user = _user(user)
    if user is None:
        return Q(pk__in=[])
    shared_with_me = Q(visibility=Visibility.TEAM, team_id__in=list(roles(user)))
    return Q(owner=user) | Q(owner__isnull=True) | Q(visibility=Visibility.EVERYONE) | shared_with_me


def visible(queryset: QuerySet, user) -> QuerySet:
    return queryset.filter(visible_q(user))


def _owns(user, obj) -> bool:
    if obj.owner_id is None:
        return user.is_superuser
    return obj.owner_id == user.pk


def can(user, action: Action, obj: Model) -> bool:
    user = _user(user)
    if user is None:
        return False
    if _owns(user, obj):
        return True
    if obj.owner_id is None:  # the installation's: everyone sees it, superusers change it
        return action is Action.VIEW
    if obj.visibility == Visibility.PRIVATE:
        return False
    role = role_in(user, obj.team_id)
    if action is Action.VIEW:
        return obj.visibility == Visibility.EVERYONE or role is not None
    return role is not None and RANK[role] >= RANK[NEEDS[action]]


def get_or_404(model_or_qs, user, action: Action = Action.VIEW, **lookup):
    """The object, if `user` may do `action` with it: Http404 when they may not even see it,
    PermissionDenied when they may see it but not do this."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs.objects.all()
    # Fetched by its key alone and judged by `can`, which says what `visible_q` says for one object:
    # a plain query, and the team roles only looked up when the object is neither one's own nor
    # the installation's (this runs on every preview keystroke). Unordered: lookups name one row.
    obj = next(iter(qs.filter(**lookup).order_by()[:1]), None)
    if obj is None or not can(user, Action.VIEW, obj):
        raise Http404("No such object, or it is not shared with you.")
    if not can(user, action, obj):
        raise PermissionDenied(f"You may see this {obj._meta.verbose_name} but not {action.value} it.")
    return obj


def teams_to_share_with(user) -> QuerySet:
    """Teams `user` may give an object to: those where they are an editor or admin."""
    ids = [t for t, r in roles(user).items() if RANK[r] >= RANK[Role.EDITOR]]
    return Team.objects.filter(pk__in=ids).order_by("name")


class SharingError(ValueError):
    pass


def share(user, obj: Model, team: Team | None, visibility: str) -> int:
    """Give `obj` to `team` (or to nobody) with `visibility`, if `user` may; saves it.

    Returns how many linked devices became own copies (builder.library.links) because of it."""
    if not can(user, Action.SHARE, obj):
        raise PermissionDenied("Only its owner or an admin of its team may change who sees this.")
    if visibility not in Visibility.values:
        raise SharingError(f"{visibility!r} is not a visibility")
    if visibility == Visibility.TEAM and team is None:
        raise SharingError("choose the team that may see it")
    moving = team is not None and team.pk != obj.team_id
    if moving and RANK.get(role_in(user, team), 0) < RANK[Role.EDITOR]:
        raise SharingError(f"you are not an editor in {team.name}")
    obj.team, obj.visibility = team, visibility
    obj.save(update_fields=["team", "visibility", "updated"])
    if isinstance(obj, DeviceProfile):
        return links.enforce_for_profile(obj)
    return links.enforce_for_template(obj)
