"""A large library for the library page: made with bulk_create, used by the scale test and `make bench`.

Rows cycle through five kinds of ownership so that access rules matter: the installation's, the
viewer's own, another person's private one (which the viewer must not see, nor count), one shared
with a team the viewer is in, and one shared with everyone. Each template has two devices (one
linked to a profile, one with its own XML) and every third one has a published revision.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from builder.library.models import (
    DeviceProfile,
    DeviceSlot,
    DomainTemplate,
    Membership,
    Role,
    Team,
    TemplateRevision,
    Visibility,
)

DISK = "<disk type='file' device='disk'><source file='/var/lib/libvirt/images/{i}.qcow2'/><target dev='vda'/></disk>"
NIC = "<interface type='network'><source network='net{i}'/><model type='virtio'/></interface>"
DOMAIN = "<domain type='kvm'><name>t{i}</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu></domain>"


def _ownerships(viewer, other, team):
    return [
        (None, None, Visibility.EVERYONE),
        (viewer, None, Visibility.PRIVATE),
        (other, None, Visibility.PRIVATE),  # not visible to the viewer
        (other, team, Visibility.TEAM),
        (other, team, Visibility.EVERYONE),
    ]


def _analyze(*models) -> None:
    """PostgreSQL: tell the planner how big the tables just became, as autovacuum would soon after a real
    bulk load. Without it, statistics from an earlier moment (autovacuum having seen the tables empty
    between tests) make it loop the library's device-kind regex over every slot for each template:
    minutes instead of a second, in the middle of a long test run."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def populate(viewer, templates: int, profiles: int, prefix: str = "") -> dict[str, int]:
    """Adds `templates` templates and `profiles` profiles; returns how many of each `viewer` may see."""
    users = get_user_model()
    other, _ = users.objects.get_or_create(username=f"{prefix}other-owner")
    team, _ = Team.objects.get_or_create(name=f"{prefix}bench team")
    Membership.objects.get_or_create(team=team, user=viewer, defaults={"role": Role.VIEWER})
    Membership.objects.get_or_create(team=team, user=other, defaults={"role": Role.ADMIN})
    kinds = _ownerships(viewer, other, team)
    with transaction.atomic():
        made_profiles = DeviceProfile.objects.bulk_create(
            DeviceProfile(
                name=f"{prefix}profile {i:05d}",
                kind="disk" if i % 2 else "interface",
                xml=(DISK if i % 2 else NIC).format(i=i),
                summary=f"/var/lib/libvirt/images/{i}.qcow2" if i % 2 else f"network net{i}",
                owner=kinds[i % 5][0],
                team=kinds[i % 5][1],
                visibility=kinds[i % 5][2],
            )
            for i in range(profiles)
        )
        # Profiles a template may link to: the installation's (visible to everyone).
        shared = [p for i, p in enumerate(made_profiles) if i % 5 == 0] or [None]
        made = DomainTemplate.objects.bulk_create(
            DomainTemplate(
                name=f"{prefix}template {i:05d}",
                description=f"bench template number {i}",
                xml=DOMAIN.format(i=i),
                domain_type="kvm",
                vcpus=2,
                memory_kib=1048576,
                owner=kinds[i % 5][0],
                team=kinds[i % 5][1],
                visibility=kinds[i % 5][2],
            )
            for i in range(templates)
        )
        slots = []
        for i, t in enumerate(made):
            profile = shared[i % len(shared)]
            if profile is not None:
                slots.append(DeviceSlot(template=t, position=0, profile=profile))
            slots.append(DeviceSlot(template=t, position=1, xml=NIC.format(i=i)))
        DeviceSlot.objects.bulk_create(slots, batch_size=2000)
        revisions = TemplateRevision.objects.bulk_create(
            TemplateRevision(template=t, number=1, snapshot={"xml": t.xml, "slots": []}, rendered=t.xml)
            for i, t in enumerate(made)
            if i % 3 == 0
        )
        for r in revisions:
            DomainTemplate.objects.filter(pk=r.template_id).update(published=r)
    _analyze(DeviceProfile, DomainTemplate, DeviceSlot, TemplateRevision)
    return {
        "templates": sum(1 for i in range(templates) if i % 5 != 2),
        "profiles": sum(1 for i in range(profiles) if i % 5 != 2),
    }
