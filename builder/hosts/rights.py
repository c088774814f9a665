"""Who may do what with a host and the domains the builder defined on it: the one place these
rules live (builder.library.access has the same for templates and profiles).

- A host is seen by superusers, its admins, and members (any role) of the teams it is open to.
- Refreshing what it can run takes editor rights in such a team (each refresh is a call to the host).
- Changing it (URI, teams, policy, removal) is for superusers and its admins; adding one, for superusers.
- Pushing a template takes editor rights on the template and the host's permission for that team;
  starting, stopping, undefining and checking a pushed domain need the same.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from builder.library import access
from builder.library.access import RANK, Action
from builder.library.models import DomainTemplate, Role

from .models import Deployment, Host


def _editing_teams(user) -> set[int]:
    return {team for team, role in access.roles(user).items() if RANK[role] >= RANK[Role.EDITOR]}


def hosts_seen(user) -> QuerySet[Host]:
    if not user.is_authenticated:
        return Host.objects.none()
    if user.is_superuser:
        return Host.objects.all()
    return Host.objects.filter(Q(teams__in=list(access.roles(user))) | Q(admins=user)).distinct()


def may_administer(user, host: Host) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or host.admins.filter(pk=user.pk).exists()


def may_refresh(user, host: Host) -> bool:
    if may_administer(user, host):
        return True
    return host.teams.filter(pk__in=_editing_teams(user)).exists()


def hosts_for(user, template: DomainTemplate) -> QuerySet[Host]:
    """The hosts `user` may push `template` to: editor rights on the template's team (any team of
    theirs for a personal template) and the host's permission for that team. Superusers: all."""
    if not access.can(user, Action.EDIT, template):
        return Host.objects.none()
    if user.is_superuser:
        return Host.objects.all()
    editing_in = _editing_teams(user)
    if template.team_id:
        editing_in &= {template.team_id}
    return Host.objects.filter(teams__in=editing_in).distinct()


def may_manage(user, deployment: Deployment) -> bool:
    """Start, shut off, undefine, check drift: whoever could push that template to that host now."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if deployment.template is None:
        return False
    return hosts_for(user, deployment.template).filter(pk=deployment.host_id).exists()


def visible_deployments(user, host: Host) -> QuerySet[Deployment]:
    """The pushes to `host` whose template `user` may see (a deleted template's: only its pusher's)."""
    seen = access.visible(DomainTemplate.objects.all(), user)
    mine_orphans = Deployment.objects.filter(template__isnull=True, user=user)
    return (Deployment.objects.filter(host=host, template__in=seen) | mine_orphans.filter(host=host)).select_related(
        "user", "template"
    )


def may_see_deployment(user, d: Deployment) -> bool:
    """Its template's viewers (its pusher, once the template is gone), if they may also see the host."""
    seen = d.template is not None and access.can(user, Action.VIEW, d.template)
    if not (seen or (d.template is None and user.is_authenticated and d.user_id == user.pk)):
        return False
    return hosts_seen(user).filter(pk=d.host_id).exists()
