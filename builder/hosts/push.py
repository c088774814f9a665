"""Pushing a template to a host, and acting on the domains the builder defined there."""

from __future__ import annotations

from dataclasses import dataclass

from builder.domainxml import assemble, compare, parse
from builder.library import editing, publishing, rendering
from builder.library.models import DomainTemplate

from . import capability_cache, host_rules, ownership
from .client import HostError, call
from .models import Deployment, Host


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
    rendered = rendering.render_instance(template, values, None, version=version)
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
    owned = ownership.owned_uuids(user, host)
    if not deployment.error:
        deployment.error = _refusal(host, template, user, rendered.root, owned)
    if deployment.error:
        deployment.save()
        return deployment
    try:
        answer = call(host, "define", xml=deployment.sent_xml, start=start, owned=owned)
    except HostError as e:
        deployment.error = str(e)
    else:
        deployment.sent_xml = answer.get("sent", deployment.sent_xml)
        deployment.domain_name, deployment.domain_uuid = answer["name"], answer["uuid"]
        deployment.returned_xml = answer["returned"]
        if answer.get("start_error"):
            deployment.error = f"defined, but libvirt did not start it: {answer['start_error']}"
        else:
            deployment.ok = True
    deployment.save()
    return deployment


def _refusal(host: Host, template: DomainTemplate, user, root, owned: list[str]) -> str:
    """Why the host's policy refuses this domain ("" when it does not): its pools asked first,
    as a disk's path is judged by them, and its emulators once (then cached)."""
    try:
        pools = capability_cache.refresh_pools(host)
        capability_cache.offer_for(host, fetch=True)
    except HostError as e:
        return str(e)
    found = [p for p in host_rules.problems(host, root, pools) if p.level == "error"]
    if found:
        listed = "; ".join(host_rules.described(p) for p in found)
        return f"refused by the policy of {host.name}, nothing was sent: {listed}"
    limit = host_rules.guest_limit(host, template, user, root, owned)
    return f"refused, nothing was sent: {limit}" if limit else ""


@dataclass
class Outcome:
    ok: bool
    message: str


NOT_CURRENT = "this push does not own a domain on the host now (it failed, was undefined, or a later push owns it)"


def act(deployment: Deployment, op: str) -> Outcome:
    """start, destroy (shut off) or undefine the deployment's domain on its host: by its uuid, and
    only while this push is the one that owns it."""
    labels = {"start": "Started", "destroy": "Shut off", "undefine": "Undefined"}
    failed = f"{labels[op].split()[0].lower()} failed"
    if not ownership.is_current(deployment):
        return Outcome(False, f"{failed}: {NOT_CURRENT}")
    try:
        call(deployment.host, op, uuid=deployment.domain_uuid)
    except HostError as e:
        return Outcome(False, f"{failed}: {e}")
    if op == "undefine":
        ownership.forget(deployment)
    return Outcome(True, f"{labels[op]} {deployment.domain_name}.")


def drift(deployment: Deployment) -> list[str]:
    """What differs between the domain on the host now and what libvirt made of the push.

    Raises HostError when the host cannot be asked, or this push does not own a domain there."""
    if not ownership.is_current(deployment):
        raise HostError(NOT_CURRENT)
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
