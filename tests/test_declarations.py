"""The declarations are complete: every field is exercised, every 2008 element and attribute declared."""

import pytest

from builder.domainxml.elements import all_elements
from builder.domainxml.fields import Many
from tests.declarations_support import FACTS_2008, declared
from tests.helpers import exercised_fields

ALL_FIELDS = sorted({f"{f.owner.__name__}.{f.name}": f for cls in all_elements() for f in cls.fields.values()}.items())


def test_it_exercises_every_declared_field_in_a_golden_pair():
    missing = sorted(name for name, _ in ALL_FIELDS if name not in exercised_fields())
    assert missing == [], "no golden pair changes these fields: " + ", ".join(missing)


@pytest.mark.parametrize(("name", "field"), ALL_FIELDS, ids=[n for n, _ in ALL_FIELDS])
def test_it_gives_every_field_a_label_and_help(name, field):
    assert field.label and len(field.help) > 20
    assert field.help.strip() != field.label.strip()


@pytest.mark.parametrize(("element", "path", "values"), FACTS_2008, ids=[f"{e}:{p}" for e, p, _ in FACTS_2008])
def test_it_declares_everything_the_2008_spec_documents(element, path, values):
    field = declared(element, path)
    assert field is not None, f"<{element}> {path} has no declaration"
    if values:
        assert set(values) <= set(field.choices), f"{path} lacks {set(values) - set(field.choices)}"
    if isinstance(field, Many):
        assert field.choices


def test_it_reads_the_facts_table_it_checks():
    """The table above is FACTS.md's first table; fail loudly if FACTS.md grows a row we do not list."""
    from tests.helpers import FACTS

    text = FACTS.read_text()
    table = text.split("## What the 2008 spec documents")[1].split("##")[0]
    rows = [line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    listed = {"domain", "name, uuid", "os/type", "os/loader, os/boot", "bootloader, bootloader_args",
              "os/kernel, os/initrd, os/cmdline", "memory, currentMemory, vcpu", "on_poweroff, on_reboot, on_crash",
              "features", "clock", "devices/emulator", "disk", "interface", "input", "graphics",
              "parallel, serial, console"}  # fmt: skip
    assert set(rows[1:]) == listed
