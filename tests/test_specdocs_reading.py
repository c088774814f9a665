"""Reading both copies of formatdomain.html (libvirt's docutils markup and the 2008 page) into
entries, and the import_spec_docs command that stores them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from lxml import html

from builder.domainxml.elements import all_elements
from builder.specdocs.models import DocEntry
from builder.specpage import entries
from tests.helpers import ROOT, SPEC_2008
from tests.specdocs_support import FIELDS, LIBVIRT_SPEC, find, run

# -- reading the two markups --------------------------------------------------------------------------


def test_it_reads_libvirts_own_copy_in_its_docutils_markup(modern):
    assert modern.markup == entries.MODERN
    assert len(modern.entries) > 500
    name = next(e for e in modern.entries if (e.parent, e.name) == ("domain", "name"))
    assert (name.kind, name.anchor, name.since) == ("dt", "general-metadata", "0.0.1")
    assert name.section == "element-and-attribute-overview/general-metadata"
    # Literals (<span class="docutils literal">) read as plain words, markers gone.
    assert "name element" in name.text and not re.search(r"[\x00-\x08]", name.text)


def test_it_reads_the_2008_copy_despite_raw_xml_and_unclosed_tags(old):
    assert old.markup == entries.LEGACY
    by_key = {(e.parent, e.name): e for e in reversed(old.entries)}
    # <input type='mouse'/> inside a <pre> would be an HTML form control to a careless reader.
    assert "tablet" in by_key["input", "type"].text
    # The unclosed <code>memory<code> and the <dd> left open before </dl> do not swallow the rest.
    assert "ballooning" in by_key["", "currentMemory"].text
    assert "numbered starting from 1" in by_key["target", "port"].text
    # <target> written raw in prose stays in the text.
    page = html.document_fromstring(entries._tidy_2008(SPEC_2008.read_text())).text_content()
    assert "overridden with the <target> element" in re.sub(r"\s+", " ", page)
    # Headings nest by level: the BIOS subsection lies in "Operating system booting".
    assert by_key["os", "type"].section == "elements/elementsOS/elementsOSBIOS"


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("General.uuid", ["RFC 4122"]),
        ("General.name", ["unique"]),
        ("Disk.target_bus", ["virtio", "scsi"]),
        ("Disk.target_dev", ["ordering hint"]),
        ("Boot.os_type", ["hvm"]),
        ("Boot.kernel", ["kernel image"]),
        ("Features.pae", ["32-bit"]),
        ("Lifecycle.on_reboot", ["reboot"]),
        ("Input.type", ["mouse", "tablet"]),
        ("Emulator.emulator", ["emulator binary"]),
    ],
)
def test_it_gives_fields_their_own_text_in_both_copies(modern, old, key, words):
    for spec in (modern, old):
        entry = find(spec, key)
        assert entry is not None, f"{spec.markup}: nothing for {key}"
        for word in words:
            assert word in entry.text, f"{spec.markup} {key}: {entry.text}"


def test_it_takes_the_since_version_of_the_element_or_the_attribute(modern, old):
    assert find(modern, "General.name").since == find(old, "General.name").since == "0.0.1"
    assert find(modern, "Resources.memory_unit").since == "0.9.11"  # "unit since 0.9.11, dumpCore since ..."
    assert find(old, "Disk.device").since == "0.1.4"  # 'Since 0.0.3; "device" attribute since 0.1.4'
    assert find(old, "Disk.target_bus").since == "0.4.3"
    assert find(modern, "Disk.type").since == "0.0.3"  # not one of its values' "since 0.7.5"


@pytest.mark.parametrize(
    ("key", "kind", "words"),
    [
        ("Disk.type", "prose", ['"file"', '"block"']),  # the dd of <disk>
        ("Disk.device", "prose", ["floppy", "cdrom"]),
        ("Disk.source_file", "prose", ["file attribute"]),  # the dd of <source>
        ("Disk.driver_name", "prose", ["backend driver"]),
        ("Graphics.port", "prose", ["TCP port"]),  # the dd of <graphics>
        ("Graphics.autoport", "prose", ["auto"]),
        ("Graphics.listen", "prose", ["IP address"]),
        ("Boot.arch", "prose", ["architecture"]),  # the dd of <type>
        ("Boot.boot_devices", "prose", ['"cdrom"']),
        ("Interface.type", "values", ["network: Virtual network", "server, client: TCP tunnel"]),  # one subsection each
        ("Interface.source_network", "example", ["'default'"]),  # the sentence quoting the example's value
        ("CharDevice.type", "values", ["pty: Pseudo TTY", "tcp: TCP client/server"]),
    ],
)
def test_it_matches_attributes_the_2008_copy_describes_only_in_prose(old, key, kind, words):
    entry = find(old, key)
    assert entry is not None and entry.kind == kind, entry
    for word in words:
        assert word in entry.text, entry.text


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("General.domain_type", ["hypervisor"]),  # the prose under the page's first heading
        ("Resources.current_memory_unit", ["unit"]),  # "behaves the same as for <memory>": not memory's
        ("Graphics.passwd", ["clear text"]),  # inside the dd of vnc, a value of type
        ("Interface.source_network", ["192.168.122.0"]),  # the sentence naming 'default'
        ("CharDevice.target_port", ["starting from 0"]),
        ("CharDevice.protocol", ["telnet", "raw"]),  # quotes its values; from "TCP", and the field is for tcp only
        ("Console.target_type", ["virtio"]),  # the console's target, not the serial port's
    ],
)
def test_it_matches_attributes_libvirts_copy_describes_only_in_prose(modern, key, words):
    entry = find(modern, key)
    assert entry is not None and entry.kind != "dt", entry
    for word in words:
        assert word in entry.text, entry.text
    if key == "Resources.current_memory_unit":
        assert entry.parent == "currentMemory"


def test_it_refuses_what_is_not_a_spec_page(tmp_path):
    cases = {"empty.html": b"", "notes.html": b"<p>just a page</p>", "random.html": bytes(range(256)) * 8}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(entries.SpecError):
            entries.parse_file(tmp_path / name)
    with pytest.raises(entries.SpecError, match="No such file"):
        entries.parse_file(tmp_path / "missing.html")


def test_it_ties_every_element_to_a_section_of_both_copies(modern, old):
    modern_ids = {a for e in modern.entries for a in e.section.split("/")}
    old_ids = {a for e in old.entries for a in e.section.split("/")}
    for cls in all_elements():
        assert cls.doc_sections, f"{cls.__name__} names no section of libvirt's page"
        assert set(cls.doc_sections) <= modern_ids, cls.__name__
        assert cls.section in old_ids, cls.__name__


# -- the import command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_a_copy_and_says_how_much_it_read_and_matched():
    out, err, code = run(str(LIBVIRT_SPEC))

    assert code == 0, err
    lines = out.splitlines()
    read = re.fullmatch(rf"read (\d+) entries from {re.escape(str(LIBVIRT_SPEC))} \(.*libvirt.*\)", lines[0])
    assert read and int(read[1]) == DocEntry.objects.filter(source="libvirt").count() > 500
    matched = re.fullmatch(r"matched (\d+) of (\d+) declared fields", lines[1])
    assert matched and int(matched[2]) == len(FIELDS) and int(matched[1]) >= 0.8 * len(FIELDS)


@pytest.mark.django_db
def test_it_replaces_the_entries_of_the_same_copy_only():
    run(str(SPEC_2008))
    old_rows = sorted(DocEntry.objects.filter(source="2008").values_list("parent", "name", "text"))
    run(str(LIBVIRT_SPEC))
    first = DocEntry.objects.filter(source="libvirt").count()
    run(str(LIBVIRT_SPEC))

    assert DocEntry.objects.filter(source="libvirt").count() == first
    assert sorted(DocEntry.objects.filter(source="2008").values_list("parent", "name", "text")) == old_rows


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("missing.html", None, "No such file"),
        ("empty.html", b"", "empty"),
        ("notes.html", b"<html><body><p>Not the spec</p></body></html>", "not a Domain XML spec"),
    ],
)
def test_it_refuses_a_missing_or_unusable_file_and_keeps_what_it_had(tmp_path, name, data, reason):
    run(str(SPEC_2008))
    before = DocEntry.objects.count()
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)

    out, err, code = run(str(path))

    assert code == 1 and out == ""
    assert re.match(rf"error: {re.escape(str(path))}: .*{reason}", err)
    assert DocEntry.objects.count() == before


def test_it_exits_1_as_a_process(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "manage.py", "import_spec_docs", str(tmp_path / "nope.html")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {tmp_path / 'nope.html'}: ")
