"""What the tests of the spec's tooltips share: where libvirt's copy of the page is, the declared
fields by key, the import command, and a field's entry in a parsed copy."""

from __future__ import annotations

from pathlib import Path

from builder.specdocs.tooltips import declared_fields
from builder.specpage import matching
from tests.helpers import run_command

LIBVIRT_SPEC = Path("/usr/share/doc/libvirt-doc/html/formatdomain.html")  # Debian's libvirt-doc
FIELDS = {f.key: f for f in declared_fields()}


def run(*args: str) -> tuple[str, str, int]:
    return run_command("import_spec_docs", *args)


def find(spec, key: str):
    return matching.Index(spec.entries).find(FIELDS[key])
