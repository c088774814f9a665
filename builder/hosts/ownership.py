"""Which domains on a host the builder made, and for whom: a domain belongs to the push that
defined it (matched by uuid), and only those who may manage that push may change or remove it.

The record of a uuid on a host is its latest push that libvirt accepted and the builder has not
undefined since. Anything else on the host (another tool's guest, another team's push recorded
under another uuid) is not the builder's to touch: a push that would redefine it is refused.
"""

from __future__ import annotations

from django.utils import timezone

from .models import Deployment, Host
from .rights import may_manage


def records(host: Host) -> dict[str, Deployment]:
    """uuid -> the push that owns it on `host`."""
    live = (
        Deployment.objects.filter(host=host, undefined__isnull=True)
        .exclude(returned_xml="")
        .exclude(domain_uuid="")
        .select_related("template", "host")
        .order_by("-created", "-id")
    )
    out: dict[str, Deployment] = {}
    for d in live:
        out.setdefault(d.domain_uuid.lower(), d)
    return out


def owned_uuids(user, host: Host) -> list[str]:
    """The uuids on `host` whose pushes `user` may manage: the only domains a push of theirs may redefine.

    `user` None is the server's operator (`manage.py push_template` without --user): every domain
    the builder made, and still none that it did not."""
    if user is None:
        return sorted(records(host))
    return sorted(uuid for uuid, d in records(host).items() if may_manage(user, d))


def is_current(d: Deployment) -> bool:
    """Whether `d` is the push that owns its domain now (an older or failed push owns nothing)."""
    if not d.ok and not d.returned_xml:
        return False
    return records(d.host).get(d.domain_uuid.lower()) == d if d.domain_uuid else False


def forget(d: Deployment) -> None:
    """After an undefine: no push to this host owns that uuid any more."""
    Deployment.objects.filter(host=d.host, domain_uuid__iexact=d.domain_uuid, undefined__isnull=True).update(
        undefined=timezone.now()
    )
