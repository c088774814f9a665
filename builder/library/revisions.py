"""Revisions of templates: every change that stores a template makes one, in this one place.

The editing operations call `changed(template)` once they have stored it. Outside a request
(commands, tests calling the operations) that records a revision at once; during a request,
`RevisionMiddleware` groups the request's changes, so a button that first saves the form and then
moves a device still makes one revision, with the request's user and the "Message" typed.
A change that leaves the template exactly as its latest revision records nothing.

A save based on a revision (the editor's form, raw XML, one device's XML, a profile's page) first
calls `claim(obj, base)`: it locks the template (or profile) until the request's revision is
recorded and committed, so of two saves based on the same revision, however simultaneous, the
second one always sees the first one's revision and is refused as stale (no lost update).

Device profiles have revisions too: every save of a profile (wherever it happens) records one
through a post_save signal, grouped the same way.
"""

from __future__ import annotations

import contextlib
import sys
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from builder.domainxml import parse

from .models import DeviceProfile, DeviceSlot, DomainTemplate, ProfileRevision, TemplateRevision
from .rendering import render_xml


@dataclass
class _Group:
    author: object = None
    message: str = ""
    request: object = None
    touched: dict[int, tuple[DomainTemplate, str | None]] = field(default_factory=dict)
    profiles: dict[int, DeviceProfile] = field(default_factory=dict)
    held: object = None  # the transaction claim() opened: left once the revisions are recorded
    failed: bool = False  # the request answered with a server error: what it held is rolled back


_group: ContextVar[_Group | None] = ContextVar("revision_group", default=None)


def snapshot(template: DomainTemplate) -> dict:
    slots = DeviceSlot.objects.filter(template=template).order_by("position")
    return {
        "xml": template.xml,
        "slots": [{"profile": s.profile_id, "xml": s.xml} for s in slots],
        "parameters": template.parameters,
    }


def _rendered(template: DomainTemplate) -> str:
    try:
        return render_xml(template)
    except parse.XMLInputError as e:
        return f"<!-- not renderable: {e} -->\n"


def latest(template: DomainTemplate) -> TemplateRevision | None:
    return template.revisions.order_by("-number").first()


def latest_number(obj: DomainTemplate | DeviceProfile) -> int:
    return obj.revisions.aggregate(m=Max("number"))["m"] or 0


@transaction.atomic
def record(template: DomainTemplate, author=None, message: str = "") -> TemplateRevision | None:
    """A new revision of the template as stored now; None when it is the same as the latest."""
    template = DomainTemplate.objects.select_for_update().get(pk=template.pk)  # one number at a time
    snap = snapshot(template)
    last = latest(template)
    if last is not None and last.snapshot == snap:
        return None
    return TemplateRevision.objects.create(
        template=template,
        number=(last.number if last else 0) + 1,
        author=author if getattr(author, "is_authenticated", False) else None,
        message=message[:500],
        snapshot=snap,
        rendered=_rendered(template),
    )


def changed(template: DomainTemplate, message: str | None = None) -> None:
    """Called by every operation that stores a template, once it has stored it."""
    group = _group.get()
    if group is None:
        record(template, message=message or "")
    else:
        group.touched[template.pk] = (template, message)


@contextlib.contextmanager
def grouped(author=None, message: str = "", request=None):
    """Changes inside become one revision per template, made on leaving (nothing when it raises)."""
    if _group.get() is not None:  # nested: the outer group records
        yield
        return
    group = _Group(author, message, request)
    token = _group.set(group)
    try:
        try:
            yield
        finally:
            _group.reset(token)
        if not (group.held and group.failed):
            _flush(group)
    except BaseException:
        _release(group, *sys.exc_info())
        raise
    _release(group, None, None, None)


def _release(group: _Group, *exc_info) -> None:
    """Commit (or, after an error, roll back) the transaction claim() opened for the group."""
    held, group.held = group.held, None
    if held is not None:
        if group.failed and exc_info[0] is None:
            transaction.set_rollback(True)
        held.__exit__(*exc_info)


@transaction.atomic
def record_profile(profile: DeviceProfile, author=None, message: str = "") -> ProfileRevision | None:
    """A new revision of the profile as stored now; None when it is the same as the latest."""
    profile = DeviceProfile.objects.select_for_update().get(pk=profile.pk)
    last = profile.revisions.order_by("-number").first()
    if last is not None and (last.xml, last.name, last.description) == (profile.xml, profile.name, profile.description):
        return None
    return ProfileRevision.objects.create(
        profile=profile,
        number=(last.number if last else 0) + 1,
        author=author if getattr(author, "is_authenticated", False) else None,
        message=message[:500],
        name=profile.name,
        description=profile.description,
        xml=profile.xml,
    )


def profile_changed(sender, instance: DeviceProfile, **kwargs) -> None:
    """post_save of DeviceProfile (connected in LibraryConfig.ready)."""
    if kwargs.get("raw"):
        return
    group = _group.get()
    if group is None:
        record_profile(instance)
    else:
        group.profiles[instance.pk] = instance


def _flush(group: _Group) -> None:
    if not group.touched and not group.profiles:
        return
    author, message = group.author, group.message
    if group.request is not None:
        user = getattr(group.request, "user", None)
        author = user if getattr(user, "is_authenticated", False) else None
        if group.request.method == "POST":
            message = group.request.POST.get("message", "").strip()
    for pk, (template, own_message) in group.touched.items():
        if DomainTemplate.objects.filter(pk=pk).exists():
            record(template, author, message or own_message or "")
    for pk, profile in group.profiles.items():
        if DeviceProfile.objects.filter(pk=pk).exists():
            record_profile(profile, author, message)


class RevisionMiddleware:
    """One revision per changed template per request, with its author and message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with grouped(request=request):
            response = self.get_response(request)
            if response.status_code >= 500:
                _group.get().failed = True
            return response


def is_stale(obj: DomainTemplate | DeviceProfile, base) -> bool:
    """True when a save based on revision `base` of a template or profile would overwrite a later one.

    A missing or unreadable base (an old page, a client posting directly) counts as the latest.
    """
    try:
        base = int(base)
    except (TypeError, ValueError):
        return False
    return base < latest_number(obj)


def claim(obj: DomainTemplate | DeviceProfile, base) -> bool:
    """Lock the template (or profile) for a save based on revision `base`; True when that save is stale.

    During a request (a group) the lock lasts until the request's revisions are recorded and
    committed: a transaction opened here, left by `grouped`. PostgreSQL locks the template's row
    (SELECT ... FOR UPDATE); SQLite's IMMEDIATE transactions (settings) take its write lock, which
    serializes writers. A concurrent save based on the same revision waits here, then sees the
    revision the first one recorded. `obj` is reloaded: it is what the latest revision holds.
    Outside a request the lock lasts only for the check (callers hold their own transaction).
    """
    group = _group.get()
    if group is not None and group.held is None:
        block = transaction.atomic()
        block.__enter__()
        group.held = block
    with transaction.atomic():
        type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True).first()
        obj.refresh_from_db()
        return is_stale(obj, base)


__all__ = [
    "RevisionMiddleware",
    "changed",
    "claim",
    "grouped",
    "is_stale",
    "latest",
    "profile_changed",
    "record",
    "record_profile",
]
