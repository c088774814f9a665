"""Pushing a template to a host, and acting on the domains the builder defined there."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from builder.domainxml import assemble, compare, parse
from builder.library import access, editing, publishing
from builder.library.access import RANK, Action
from builder.library.models import DomainTemplate, Role

from .client import HostError, call
from .models import Deployment, Host


def hosts_seen(user) -> QuerySet[Host]:
    """Hosts a person may know of: those open to one of their teams (all, for superusers)."""
    if user.is_superuser:
        return Host.objects.all()
    return Host.objects.filter(teams__in=list(access.roles(user))).distinct()


def hosts_for(user, template: DomainTemplate) -> QuerySet[Host]:
    """The hosts `user` may push `template` to: editor rights on the template's team (any team of
    theirs for a personal template) and the host's permission for that team. Superusers: all."""
    if not access.can(user, Action.EDIT, template):
        return Host.objects.none()
    if user.is_superuser:
        return Host.objects.all()
    editing_in = {team for team, role in access.roles(user).items() if RANK[role] >= RANK[Role.EDITOR]}
    if template.team_id:
        editing_in &= {template.team_id}
    return Host.objects.filter(teams__in=editing_in).distinct()


def may_manage(user, deployment: Deployment) -> bool:
    """Start, shut off, undefine, check drift: whoever could push that template to that host now."""
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


def push(
    template: DomainTemplate, host: Host, user, start: bool = False, values=None, which: str | None = None
) -> Deployment:
    """Render (the published revision by default), define on the host with validation, read back.

    Always returns the recorded Deployment; its `ok` and `error` say how it went."""
    values = dict(values or {})
    try:
        version = publishing.version(template, which)
    except publishing.NoSuchVersion as e:
        version, error = None, str(e)
    deployment = Deployment(
        host=host,
        template=template,
        template_name=template.name,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=Deployment.Action.START if start else Deployment.Action.DEFINE,
    )
    if version is None:
        deployment.revision_label, deployment.error = which or "", error
        deployment.save()
        return deployment
    deployment.revision = version.revision
    deployment.revision_label = version.label
    declared = {p["name"] for p in version.parameters}
    rename = values.pop("name", None) if "name" not in declared else None
    rendered = editing.render_instance(template, values, None, version=version)
    try:
        if rename:
            editing.set_domain_name(rendered.root, rename)
    except ValueError as e:
        deployment.error = str(e)
    deployment.sent_xml = assemble.to_string(rendered.root) + "\n"
    deployment.domain_name = rendered.root.findtext("name") or ""
    deployment.domain_uuid = rendered.root.findtext("uuid") or ""
    if rendered.missing and not deployment.error:
        deployment.error = f"no value for the parameters {', '.join(rendered.missing)}: nothing was sent"
    if deployment.error:
        deployment.save()
        return deployment
    try:
        answer = call(host, "define", xml=deployment.sent_xml, start=start)
    except HostError as e:
        deployment.error = str(e)
    else:
        deployment.domain_name, deployment.domain_uuid = answer["name"], answer["uuid"]
        deployment.returned_xml = answer["returned"]
        if answer.get("start_error"):
            deployment.error = f"defined, but libvirt did not start it: {answer['start_error']}"
        else:
            deployment.ok = True
    deployment.save()
    return deployment


@dataclass
class Outcome:
    ok: bool
    message: str


def act(deployment: Deployment, op: str) -> Outcome:
    """start, destroy (shut off) or undefine the deployment's domain on its host."""
    labels = {"start": "Started", "destroy": "Shut off", "undefine": "Undefined"}
    try:
        call(deployment.host, op, uuid=deployment.domain_uuid)
    except HostError as e:
        return Outcome(False, f"{labels[op].split()[0].lower()} failed: {e}")
    if op == "undefine":
        deployment.undefined = timezone.now()
        deployment.save(update_fields=["undefined"])
    return Outcome(True, f"{labels[op]} {deployment.domain_name}.")


def drift(deployment: Deployment) -> list[str]:
    """What differs between the domain on the host now and what libvirt made of the push.

    Raises HostError when the host cannot be asked."""
    now = call(deployment.host, "xml", uuid=deployment.domain_uuid)
    then = parse.parse_xml(deployment.returned_xml, root_tag="domain")
    return compare.differences(then, parse.parse_xml(now, root_tag="domain"), limit=200)


def states(host: Host, deployments) -> tuple[dict, str]:
    """{uuid: {"name", "state"}} for these deployments, and an error text when the host could not say."""
    uuids = sorted({d.domain_uuid for d in deployments if d.returned_xml and d.domain_uuid and not d.undefined})
    if not uuids:
        return {}, ""
    try:
        return call(host, "states", uuids=uuids), ""
    except HostError as e:
        return {}, str(e)
