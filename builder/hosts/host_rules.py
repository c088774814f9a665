"""A host's policy applied: its saved switches, its pools and emulators, and its guest count limit."""

from __future__ import annotations

import functools
from dataclasses import replace

from lxml import etree

from builder.domainxml import hazards
from builder.domainxml.elements import DEVICES, SECTIONS
from builder.domainxml.validate import Problem
from builder.library.models import DomainTemplate

from . import policy
from .host_offer import parser
from .models import Host, HostCapabilities, policy_of
from .ownership import records

SWITCHES = (
    "allow_passthrough",
    "allow_block_devices",
    "allow_host_devices",
    "allow_filesystem_passthrough",
    "allow_direct_network",
    "allow_host_chardevs",
)


def _emulators(cache: HostCapabilities | None) -> tuple[str, ...] | None:
    if cache is None or not cache.capabilities:
        return None
    return _listed_emulators(cache.capabilities)


@functools.lru_cache(maxsize=16)
def _listed_emulators(capabilities_xml: str) -> tuple[str, ...]:
    """Every <emulator> the capabilities name (per arch and per domain type); remembered by the text,
    as the editor's preview asks on every keystroke."""
    root = etree.fromstring(capabilities_xml.encode(), parser())
    return tuple(sorted({(e.text or "").strip() for e in root.iter("emulator")} - {""}))


def rules_for(host: Host, pools: dict[str, str] | None = None) -> policy.Rules:
    """The host's rules, with its pools as given (asked just now) or as last cached."""
    saved = policy_of(host)
    cache = HostCapabilities.objects.filter(host=host).first()
    return policy.Rules(
        trusted=saved.trusted,
        paths=tuple(saved.paths),
        pools=dict(pools if pools is not None else (cache.pools if cache else {})),
        emulators=_emulators(cache),
        allow=frozenset(s for s in SWITCHES if getattr(saved, s)),
        max_vcpus=saved.max_vcpus,
        max_memory_mib=saved.max_memory_mib,
    )


def problems(host: Host, root: etree._Element, pools: dict[str, str] | None = None) -> list[Problem]:
    """What the host's policy refuses in this domain, as errors at their fields."""
    return policy.judge(root, rules_for(host, pools))


def policy_problems(host: Host | None, root: etree._Element, named: bool = True) -> list[Problem]:
    """For the editor and the push page: the chosen host's refusals as errors (`named`: with the
    host's name in front, where other checks' messages stand beside them), and as warnings what
    reaches outside the guest and that host allows (or everything, when no host is chosen)."""
    refused = problems(host, root) if host is not None else []
    at = {p.path for p in refused}
    if named and refused:
        refused = [replace(p, message=f"{host.name}'s policy refuses this: {p.message}") for p in refused]
    return refused + [w for w in hazards.warnings(root) if w.path not in at]


LABELS = {f.key: f.label for cls in (*SECTIONS, *DEVICES.values()) for f in cls.fields.values()}


def described(p: Problem) -> str:
    """A problem with the form's name for its field: "/domain/devices/disk (Image file): ..."."""
    label = LABELS.get(p.field)
    return f"{p.path} ({label}): {p.message}" if label else str(p)


def guest_limit(host: Host, template: DomainTemplate, user, root: etree._Element, owned: list[str]) -> str:
    """Why one more guest may not go to `host` ("" when it may): the team's count, or the person's
    for their own templates, against the policy's limit. Redefining one's own guest (same uuid, or
    same name without a uuid) adds none."""
    limit = policy_of(host).max_guests_per_team
    if not limit:
        return ""
    known = records(host)
    name, uuid = (root.findtext("name") or "").strip(), (root.findtext("uuid") or "").strip().lower()
    if any(u == uuid or (not uuid and known[u].domain_name == name) for u in owned if u in known):
        return ""
    mine = [u for u, d in known.items() if _counts(d, template, user)]
    if len(mine) < limit:
        return ""
    whose = f"the team {template.team.name}" if template.team_id else "you (for your own templates)"
    return f"{whose} already has {len(mine)} guests on {host.name}, its limit"


def _counts(d, template: DomainTemplate, user) -> bool:
    """Whether a guest counts against the same limit as a push of `template` by `user`."""
    if d.template is None:
        return False
    if template.team_id:
        return d.template.team_id == template.team_id
    return not d.template.team_id and d.user_id == getattr(user, "pk", None)
