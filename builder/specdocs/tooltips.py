"""Tooltips for declared fields: what the user's copy of the spec says, else the project's summary.

libvirt's own copy wins over the 2008 one; where FACTS.md found the 2008 text wrong (the field
says ``wrong_in_2008``), the project's summary stands in for it. Tooltips are cached per process:
the first lookup of a request checks with one query whether an import changed the entries, so a
page of sixty fields costs one query, not sixty.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max

from builder.domainxml.elements import all_elements
from builder.specpage import matching

from .models import DocEntry

SPEC_URL = "https://libvirt.org/formatdomain.html"
PROJECT = "project"  # Tooltip.source of the project's own summary
MAX_CHARS = 600  # the rest is one click away, behind the link
_PREFERENCE = (DocEntry.Source.LIBVIRT, DocEntry.Source.SPEC_2008)


@dataclass(frozen=True)
class Tooltip:
    text: str
    since: str  # libvirt version that introduced it ("0.0.1"), when the spec says
    url: str  # the section of libvirt's page that documents it
    from_spec: bool  # False: the project's own summary (field.help)
    source: str  # DocEntry.Source value, or PROJECT

    @property
    def source_label(self) -> str:
        return "this project's summary" if self.source == PROJECT else DocEntry.Source(self.source).label


def declared_fields() -> list:
    """Every declared field once (a base's fields are shared by the elements built on it)."""
    seen = {}
    for cls in all_elements():
        for f in cls.fields.values():
            seen.setdefault(id(f), f)
    return list(seen.values())


def tooltip_for(fld) -> Tooltip:
    state = _current()
    tip = state.tips.get(fld)
    if tip is None:
        tip = state.tips[fld] = _tooltip(fld, state.indexes)
    return tip


def _tooltip(fld, indexes: dict[str, matching.Index]) -> Tooltip:
    home = f"{SPEC_URL}#{matching.field_anchor(fld)}"
    for source in _PREFERENCE:
        entry = indexes[source].find(fld) if source in indexes else None
        if entry is None:
            continue
        if source == DocEntry.Source.SPEC_2008:
            if fld.wrong_in_2008:  # FACTS.md: that text misleads; say what libvirt does instead
                return Tooltip(fld.help, entry.since, home, False, PROJECT)
            # The 2008 anchors (elementsDisks) are not on libvirt's page: link the element's section.
            return Tooltip(shorten(entry.text), entry.since, home, True, source)
        return Tooltip(shorten(entry.text), entry.since, f"{SPEC_URL}#{entry.anchor}", True, source)
    return Tooltip(fld.help, "", home, False, PROJECT)


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    """At most limit characters, cut after a whole sentence where one fits."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", cut)]
    if ends and ends[-1] > limit // 3:
        return cut[: ends[-1]] + " …"
    return cut[: cut.rfind(" ")].rstrip(",;:") + " …"


# -- the cache -----------------------------------------------------------------------------


@dataclass
class _State:
    stamp: tuple | None = None  # (count, highest id) of the entries: changes with every import
    fresh: bool = False  # checked since the current request began
    indexes: dict = field(default_factory=dict)
    tips: dict = field(default_factory=dict)


_state = _State()
_lock = threading.Lock()


def _current() -> _State:
    if _state.fresh:
        return _state
    with _lock:
        stamp = tuple(DocEntry.objects.aggregate(n=Count("id"), last=Max("id")).values())
        if stamp != _state.stamp:
            names = {f.doc_key[1] for f in declared_fields()}
            by_source: dict[str, list] = {}
            for row in DocEntry.objects.filter(name__in=names):  # only what some field may ask for
                by_source.setdefault(row.source, []).append(row)
            _state.indexes = {s: matching.Index(rows) for s, rows in by_source.items()}
            _state.tips = {}
            _state.stamp = stamp
        _state.fresh = True
    return _state


def expire(**_kwargs) -> None:
    """Check for new entries at the next lookup (connected to request_started)."""
    _state.fresh = False


def invalidate() -> None:
    """Forget everything: the entries have just been replaced."""
    with _lock:
        _state.stamp, _state.fresh, _state.indexes, _state.tips = None, False, {}, {}
