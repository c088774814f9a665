"""Whether a host's policy lets a domain reach outside the guest (builder.domainxml.hazards finds
what does), and the per-guest limits. The problems have validation's shape (level, path, message,
field), so the editor shows them at the field. Without Django or libvirt: it reads only the tree
and the rules it is given.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from lxml import etree

from builder.domainxml.elements import Resources
from builder.domainxml.elements.resources import to_bytes
from builder.domainxml.hazards import Hazard, hazards, problem
from builder.domainxml.validate import Problem

VCPU, MEMORY = Resources.fields["vcpu"].key, Resources.fields["memory"].key
# How each switch is named on the policy form (builder.hosts.models.HostPolicy).
SWITCH_LABELS = {
    "allow_passthrough": "hypervisor passthrough and programs",
    "allow_block_devices": "block devices",
    "allow_host_devices": "host devices",
    "allow_filesystem_passthrough": "shared host directories",
    "allow_direct_network": "direct network interfaces",
    "allow_host_chardevs": "character devices on host files",
}


@dataclass(frozen=True)
class Rules:
    """A host's policy as the checks need it (builder.hosts.models.HostPolicy gives one)."""

    trusted: bool = False
    paths: tuple[str, ...] = ()  # directories allowed besides the pools
    pools: dict[str, str] = field(default_factory=dict)  # pool name -> target path
    emulators: tuple[str, ...] | None = None  # what the host lists; None: unknown
    allow: frozenset[str] = frozenset()  # the switches turned on, e.g. {"allow_host_devices"}
    max_vcpus: int | None = None
    max_memory_mib: int | None = None


# -- judging -------------------------------------------------------------------------------


def _inside(path: str, rules: Rules) -> bool:
    if path.startswith("pool:"):
        return path[5:] in rules.pools
    if not path.startswith("/"):
        return False  # a relative path means whatever the daemon's working directory is
    path = posixpath.normpath(path)
    roots = [*rules.paths, *(p for p in rules.pools.values() if p)]
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in map(posixpath.normpath, roots))


def _allowed(h: Hazard, rules: Rules) -> bool:
    if rules.trusted:
        return True
    if h.switch == "emulator":  # only the host's own emulators, unless passthrough is allowed
        listed = rules.emulators is not None and h.el.text.strip() in rules.emulators
        return "allow_passthrough" in rules.allow or listed
    if h.switch is None and h.path is None:
        return False
    if h.switch is not None and h.switch not in rules.allow:
        return False
    return h.path is None or _inside(h.path, rules)


def _why(h: Hazard, rules: Rules) -> str:
    if h.switch == "emulator":
        listed = ", ".join(rules.emulators or ()) or "none known: refresh the host"
        return f"only the emulators the host lists may run ({listed})"
    if h.switch is None and h.path is None:
        return "only a host marked trusted allows this"
    if h.switch is not None and h.switch not in rules.allow:
        return f"the host's policy does not allow {SWITCH_LABELS[h.switch]}"
    places = [*rules.paths, *(p for p in rules.pools.values() if p)]
    return (
        f"only paths inside the host's storage pools or allowed directories may be used ({', '.join(places) or 'none'})"
    )


def judge(root: etree._Element, rules: Rules) -> list[Problem]:
    """Errors for what `rules` do not allow, limits included."""
    out = [
        problem(h.el, "error", f"{h.what}: {h.detail}; {_why(h, rules)}", h.field)
        for h in hazards(root)
        if not _allowed(h, rules)
    ]
    return out + limits(root, rules)


def _number(el: etree._Element | None) -> int | None:
    text = (el.text or "").strip() if el is not None else ""
    return int(text) if text.isdigit() and len(text) < 20 else None  # libvirt's own limit is 64 bits


def limits(root: etree._Element, rules: Rules) -> list[Problem]:
    out = []
    vcpu = root.find("vcpu")
    if rules.max_vcpus and (_number(vcpu) or 0) > rules.max_vcpus:
        out.append(problem(vcpu, "error", f"this host allows at most {rules.max_vcpus} vCPUs a guest", VCPU))
    for tag in ("memory", "maxMemory"):
        el = root.find(tag)
        amount = _number(el)
        if not rules.max_memory_mib or amount is None:
            continue
        try:
            size = to_bytes(str(amount), el.get("unit"))
        except (ValueError, IndexError):
            continue  # validation says what is wrong with the unit
        if size > rules.max_memory_mib * 2**20:
            message = f"this host allows at most {rules.max_memory_mib} MiB of memory a guest"
            out.append(problem(el, "error", message, MEMORY))
    return out
