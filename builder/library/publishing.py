"""Publishing: a template's approved revision, and which version rendering uses.

Rendering, download and the API use the published revision unless asked for another; edits
change the draft (the template as stored now) until someone publishes again. A template never
published has only its draft, and that is what they use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from lxml import etree

from builder.domainxml import parse

from . import access, revisions
from .models import DomainTemplate, TemplateRevision
from .rendering import render


class NoSuchVersion(LookupError):
    pass


@dataclass
class Version:
    root: etree._Element  # a tree of its own: changing it changes nothing stored
    parameters: list[dict]
    revision: TemplateRevision | None  # None: the draft

    @property
    def label(self) -> str:
        if self.revision is None:
            return "draft"
        published = self.revision.template.published_id == self.revision.pk
        return f"{'published ' if published else ''}revision {self.revision.number}"


def is_draft_ahead(template: DomainTemplate) -> bool:
    """True when the template has changes that are not published (or was never published)."""
    if template.published_id is None:
        return True
    return revisions.latest_number(template) > template.published.number


def version(template: DomainTemplate, which: str | None = None) -> Version:
    """`which`: "" or None (published if any, else the draft), "draft", "published" or a number."""
    which = (which or "").strip()
    if which == "draft" or (which == "" and template.published_id is None):
        return Version(render(template), list(template.parameters), None)
    if which in ("", "published"):
        revision = template.published
        if revision is None:
            raise NoSuchVersion(f"{template.name} has no published revision")
    elif which.isdigit():
        revision = template.revisions.filter(number=int(which)).first()
        if revision is None:
            raise NoSuchVersion(f"{template.name} has no revision {which}")
    else:
        raise NoSuchVersion(f"{which!r} is not a revision: use draft, published or a number")
    root = parse.parse_xml(revision.rendered, settings.MAX_XML_BYTES, root_tag="domain")
    return Version(root, list(revision.snapshot.get("parameters", [])), revision)


@transaction.atomic
def publish(template: DomainTemplate, user, number: int | None = None) -> TemplateRevision:
    """Make revision `number` (default: the latest) the approved one; needs the right to publish."""
    if not access.can(user, access.Action.PUBLISH, template):
        raise PermissionDenied("Only its owner or an editor of its team may publish this template.")
    template = DomainTemplate.objects.select_for_update().get(pk=template.pk)
    if number is None:
        revision = revisions.latest(template) or revisions.record(template, user)
    else:
        revision = template.revisions.filter(number=number).first()
        if revision is None:
            raise NoSuchVersion(f"{template.name} has no revision {number}")
    if revision.rendered.startswith("<!-- not renderable"):
        raise NoSuchVersion(f"revision {revision.number} could not be rendered, so it cannot be published")
    template.published, template.published_by, template.published_at = revision, user, timezone.now()
    template.save(update_fields=["published", "published_by", "published_at"])
    return revision
