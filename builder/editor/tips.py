"""The help shown for a field: the spec's own text when it has been imported, else our summary."""

from dataclasses import dataclass


@dataclass
class Tip:
    text: str
    since: str = ""
    url: str = ""
    from_spec: bool = False
    source: str = ""


def tip_for(field) -> Tip:
    try:
        from builder.specdocs.tooltips import tooltip_for
    except ImportError:  # until the spec importer is installed (issue 3, part 1)
        return Tip(field.help)
    return tooltip_for(field)
