"""Importing a copy of the spec: its entries replace those of the same kind of copy."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from builder.specpage import entries, matching

from . import tooltips
from .models import DocEntry


@dataclass
class Imported:
    source: str
    entries: int
    matched: int  # declared fields this copy documents
    fields: int  # declared fields in all


def import_spec(path) -> Imported:
    """Read formatdomain.html at path; raises entries.SpecError and changes nothing if unusable."""
    spec = entries.parse_file(path)
    rows = [
        DocEntry(
            source=spec.markup,
            section=e.section[:500],
            parent=e.parent[:100],
            name=e.name[:100],
            kind=e.kind,
            text=e.text,
            since=e.since[:40],
            anchor=e.anchor[:200],
            position=e.position,
            scope=e.scope[:200],
        )
        for e in spec.entries
    ]
    with transaction.atomic():
        DocEntry.objects.filter(source=spec.markup).delete()
        DocEntry.objects.bulk_create(rows, batch_size=500)
    tooltips.invalidate()
    index, fields = matching.Index(spec.entries), tooltips.declared_fields()
    matched = sum(index.find(f) is not None for f in fields)
    return Imported(spec.markup, len(rows), matched, len(fields))
