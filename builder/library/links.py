"""A template shows its linked profiles' XML to everyone who sees the template, so a link may only
reach people the profile is shared with.

The rule: a template may link a profile only while everyone who may see the template may also see
the profile. Whatever breaks that (a profile shared more narrowly, a template shared more widely,
a member leaving a team, a restored revision, a deleted profile) turns the link into the
template's own copy of the device as it was then: the guest renders the same, and later edits of
the profile no longer reach people it is not shared with.
"""

from __future__ import annotations

from django.db import transaction

from .models import DeviceProfile, DeviceSlot, DomainTemplate, Membership, Visibility
from .revisions import changed

EVERYONE = None  # an audience of every account


def audience(obj) -> set[int] | None:
    """The ids of the people who may see `obj`, or EVERYONE."""
    if obj.owner_id is None or obj.visibility == Visibility.EVERYONE:
        return EVERYONE
    people = {obj.owner_id}
    if obj.visibility == Visibility.TEAM and obj.team_id:
        people |= set(Membership.objects.filter(team_id=obj.team_id).values_list("user_id", flat=True))
    return people


def covers(profile: DeviceProfile, template: DomainTemplate) -> bool:
    """True when everyone who sees the template may also see the profile."""
    wide = audience(profile)
    if wide is EVERYONE:
        return True
    narrow = audience(template)
    return narrow is not EVERYONE and narrow <= wide


DETACHED = (
    "A linked profile is not shared with everyone who sees this template: its device is now the template's own copy"
)


@transaction.atomic
def enforce(slots=None) -> int:
    """Turn every link that breaks the rule into an own copy; returns how many changed.

    `slots`: the DeviceSlot query to look at (default: every linked slot)."""
    slots = (slots if slots is not None else DeviceSlot.objects.all()).filter(profile__isnull=False)
    slots = slots.exclude(profile__owner__isnull=True).exclude(profile__visibility=Visibility.EVERYONE)
    touched: dict[int, DomainTemplate] = {}
    count = 0
    for slot in slots.select_related("profile", "template"):
        if not covers(slot.profile, slot.template):
            slot.detach()
            touched[slot.template_id] = slot.template
            count += 1
    for template in touched.values():
        changed(template, message=DETACHED)
    return count


def enforce_for_profile(profile: DeviceProfile) -> int:
    return enforce(DeviceSlot.objects.filter(profile=profile))


def enforce_for_template(template: DomainTemplate) -> int:
    return enforce(DeviceSlot.objects.filter(template=template))


def enforce_for_team(team_id: int) -> int:
    """After a team's members changed: links to its profiles, and in its templates."""
    return enforce(
        DeviceSlot.objects.filter(profile__team_id=team_id) | DeviceSlot.objects.filter(template__team_id=team_id)
    )


@transaction.atomic
def delete_profile(profile: DeviceProfile) -> None:
    """Delete a profile; the templates that link it keep its device as their own copy."""
    touched = {}
    for slot in DeviceSlot.objects.filter(profile=profile).select_related("template"):
        slot.detach()
        touched[slot.template_id] = slot.template
    profile.delete()
    for template in touched.values():
        changed(template, message="A linked profile was deleted: its device is now the template's own copy")
