"""The management commands: import_domain, export_domain, list_templates, validate_domain, load_starter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate
from tests.helpers import CORPUS, ROOT, SHARED, diff, run_command

STARTER = ROOT / "builder" / "library" / "starter" / "templates" / "xen-hvm-example.xml"
IMPORTED = re.compile(r"imported (?P<file>.+) as template (?P<id>\d+) \((?P<name>.*)\)")


def import_one(path: Path) -> tuple[DomainTemplate, list[str]]:
    """Import one file that must import; (its template, its warning lines without the prefix)."""
    out, err, code = run_command("import_domain", str(path))
    assert code == 0, err
    assert err == ""
    first, *rest = out.splitlines()
    m = IMPORTED.fullmatch(first)
    assert m, first
    assert m["file"] == str(path)
    template = DomainTemplate.objects.get(pk=int(m["id"]))
    assert m["name"] == template.name
    assert all(line.startswith("warning: ") for line in rest), rest
    return template, [line.removeprefix("warning: ") for line in rest]


def export(template: DomainTemplate) -> str:
    out, err, code = run_command("export_domain", str(template.pk))
    assert code == 0, err
    return out


def domain_element(xml: str) -> str:
    """The <domain> element of an export alone, without the comments around it."""
    return etree.tostring(etree.fromstring(xml.encode()), encoding="unicode")


def variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """The starter template with one change: `old` (which must be there) replaced by `new`."""
    text = STARTER.read_text()
    assert text.count(old) == 1, f"the starter template no longer has {old!r}"
    path = tmp_path / f"{name}.xml"
    path.write_text(text.replace(old, new))
    return path


# -- import_domain --------------------------------------------------------------------------------------


def test_it_has_a_corpus_to_import():
    assert len(CORPUS) > 100


@pytest.mark.django_db
@pytest.mark.parametrize("path", CORPUS, ids=[str(p.relative_to(SHARED / "corpus")) for p in CORPUS])
def test_it_imports_each_corpus_file_and_says_as_which_template(path):
    root = etree.parse(str(path)).getroot()
    expected_name = (root.findtext("name") or "").strip() or path.stem

    template, _ = import_one(path)

    assert template.name == expected_name
    assert DomainTemplate.objects.count() == 1


@pytest.mark.django_db
def test_it_imports_several_files_in_one_run_one_template_each_in_order():
    files = CORPUS[:5]
    out, err, code = run_command("import_domain", *map(str, files))

    assert code == 0, err
    imported = [IMPORTED.fullmatch(line) for line in out.splitlines() if line.startswith("imported ")]
    assert [m["file"] for m in imported] == [str(f) for f in files]
    ids = [int(m["id"]) for m in imported]
    assert ids == sorted(ids) and len(set(ids)) == len(files)
    assert DomainTemplate.objects.count() == len(files)


LEGACY = [
    # (id, starter text, its 2008 spelling, words the warning must have, exported must have, must not have)
    (
        "clock-sync",
        "<clock offset='localtime'/>",
        "<clock sync='localtime'/>",
        ["sync='localtime'", "offset='localtime'", "2008"],
        '<clock offset="localtime"/>',
        "sync=",
    ),
    (
        "wiremode",
        "<protocol type='telnet'/>",
        "<wiremode type='telnet'/>",
        ["<wiremode>", "<protocol type='telnet'>", "2008"],
        '<protocol type="telnet"/>',
        "wiremode",
    ),
    (
        "graphics-password",
        "<graphics type='vnc' port='-1'",
        "<graphics type='vnc' password='s3cret' port='-1'",
        ["password", "passwd", "2008"],
        'passwd="s3cret"',
        "password=",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "legacy", "words", "exported", "gone"), [c[1:] for c in LEGACY], ids=[c[0] for c in LEGACY]
)
def test_it_rewrites_a_2008_spelling_and_warns_naming_the_rewrite(tmp_path, old, legacy, words, exported, gone):
    path = variant(tmp_path, "legacy", old, legacy)

    template, warnings = import_one(path)

    # Rewritten, the file is otherwise the valid starter template: the rewrite is the only warning.
    assert len(warnings) == 1, warnings
    for word in words:
        assert word in warnings[0]
    assert "s3cret" not in warnings[0]  # a password is never echoed
    xml = domain_element(export(template))
    assert exported in xml
    assert gone not in xml


@pytest.mark.django_db
def test_it_rewrites_all_three_2008_spellings_in_one_file(tmp_path):
    text = STARTER.read_text()
    for _, old, legacy, *_ in LEGACY:
        text = text.replace(old, legacy)
    path = tmp_path / "all-2008.xml"
    path.write_text(text)

    template, warnings = import_one(path)

    assert len(warnings) == 3, warnings
    assert [w for w in warnings if "2008" in w] == warnings
    xml = domain_element(export(template))
    for _, _, _, _, exported, gone in LEGACY:
        assert exported in xml
        assert gone not in xml


SEMANTIC = [
    # (id, starter text, replacement, words one warning must have, kept as written in the export)
    (
        "multicast-mac",
        "00:16:3e:5d:c7:9e",
        "11:22:33:44:55:66",
        ["11:22:33:44:55:66", "multicast"],
        '<mac address="11:22:33:44:55:66"/>',
    ),
    (
        "reserved-tap-name",
        "<source bridge='xenbr0'/>",
        "<source bridge='xenbr0'/>\n      <target dev='vnet7'/>",
        ["vnet7", "reserve"],
        '<target dev="vnet7"/>',
    ),
    (
        "current-memory-above-memory",
        "<currentMemory unit='KiB'>524288</currentMemory>",
        "<currentMemory unit='KiB'>1048576</currentMemory>",
        ["current memory", "larger"],
        '<currentMemory unit="KiB">1048576</currentMemory>',
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new", "words", "kept"), [c[1:] for c in SEMANTIC], ids=[c[0] for c in SEMANTIC])
def test_it_imports_what_libvirt_would_refuse_or_change_but_warns(tmp_path, old, new, words, kept):
    path = variant(tmp_path, "semantic", old, new)

    template, warnings = import_one(path)

    assert [w for w in warnings if all(word in w for word in words)], warnings
    assert kept in export(template)
    assert DeviceSlot.objects.filter(template=template).count() > 0


@pytest.mark.django_db
def test_it_falls_back_to_the_file_name_for_a_domain_without_a_name(tmp_path):
    path = variant(tmp_path, "nameless-guest", "<name>fv0</name>", "")

    template, _ = import_one(path)

    assert template.name == "nameless-guest"


# -- export_domain --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_exports_the_whole_domain_to_standard_output():
    template, _ = import_one(STARTER)

    xml = export(template)

    exported = etree.fromstring(xml.encode())
    assert exported.tag == "domain"
    assert exported.findtext("name") == "fv0"
    assert diff(etree.parse(str(STARTER)).getroot(), exported) == []


@pytest.mark.django_db
def test_it_writes_the_export_to_a_file_with_o(tmp_path):
    template, _ = import_one(STARTER)
    target = tmp_path / "out.xml"

    out, err, code = run_command("export_domain", str(template.pk), "-o", str(target))

    assert code == 0, err
    assert out == ""
    assert target.read_text(encoding="utf-8") == export(template)


@pytest.mark.django_db
def test_it_refuses_an_unknown_template_id(tmp_path):
    target = tmp_path / "out.xml"

    out, err, code = run_command("export_domain", "424242", "-o", str(target))

    assert code == 1
    assert out == ""
    assert "no template with id 424242" in err
    assert not target.exists()


@pytest.mark.django_db
def test_it_refuses_an_id_that_is_not_a_number():
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("export_domain", "fv0", stdout=StringIO(), stderr=StringIO())


# -- list_templates -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lists_nothing_when_there_are_no_templates():
    assert run_command("list_templates") == ("", "", 0)


@pytest.mark.django_db
def test_it_lists_templates_as_id_and_name_lines():
    made = [import_one(path)[0] for path in (STARTER, CORPUS[0], CORPUS[1])]

    out, err, code = run_command("list_templates")

    assert code == 0 and err == ""
    assert out.splitlines() == [f"{t.pk} {t.name}" for t in sorted(made, key=lambda t: t.pk)]
    assert all(re.fullmatch(r"\d+ \S.*", line) for line in out.splitlines())


# -- validate_domain ------------------------------------------------------------------------------------


def test_it_validates_the_starter_template():
    out, err, code = run_command("validate_domain", str(STARTER))

    assert code == 0, out + err
    assert "error:" not in out + err
    assert out.splitlines()[-1] == f"{STARTER}: valid"


def test_it_refuses_a_multicast_mac_with_an_error_line(tmp_path):
    path = variant(tmp_path, "multicast", "00:16:3e:5d:c7:9e", "11:22:33:44:55:66")

    out, _, code = run_command("validate_domain", str(path))

    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith(f"error: {path}: ")]
    assert [e for e in errors if "11:22:33:44:55:66" in e and "multicast" in e], out
    assert f"{path}: valid" not in out


def test_it_refuses_an_unknown_element_naming_it_and_its_line(tmp_path):
    path = variant(tmp_path, "unknown", "<emulator>", "<frobnicator/>\n    <emulator>")

    out, _, code = run_command("validate_domain", str(path))

    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith(f"error: {path}: ")]
    assert [e for e in errors if "frobnicator" in e and "line 24" in e], out


def test_it_names_the_2008_spellings_without_rewriting_them(tmp_path):
    path = variant(tmp_path, "clock-sync", "<clock offset='localtime'/>", "<clock sync='localtime'/>")

    out, _, code = run_command("validate_domain", str(path))

    assert code == 1  # libvirt would not take the file as written
    assert f"warning: {path}: import_domain would rewrite this: <clock sync='localtime'>" in out
    assert [line for line in out.splitlines() if line.startswith(f"error: {path}: ")]
    assert "sync='localtime'" in path.read_text()


def test_it_checks_every_file_and_exits_1_if_any_has_errors(tmp_path):
    bad = variant(tmp_path, "multicast", "00:16:3e:5d:c7:9e", "11:22:33:44:55:66")
    broken = tmp_path / "broken.xml"
    broken.write_text("<domain type='kvm'><name>x</name>")

    out, err, code = run_command("validate_domain", str(bad), str(STARTER), str(broken))

    assert code == 1
    assert f"{STARTER}: valid" in out.splitlines()
    assert re.search(rf"^error: {re.escape(str(broken))}: .*truncated", err, re.M)
    assert "2 of 3 files have errors" in err


def test_it_exits_0_and_1_as_a_process(tmp_path):
    bad = variant(tmp_path, "multicast", "00:16:3e:5d:c7:9e", "11:22:33:44:55:66")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}

    def validate(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "validate_domain", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    good = validate(STARTER)
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines()[-1] == f"{STARTER}: valid"
    failed = validate(bad)
    assert failed.returncode == 1
    assert re.search(rf"^error: {re.escape(str(bad))}: .*multicast", failed.stdout, re.M)


# -- load_starter ---------------------------------------------------------------------------------------


def library() -> tuple:
    """Everything the library holds, comparable across runs."""
    return (
        sorted(DeviceProfile.objects.values_list("pk", "name", "kind", "xml", "description")),
        sorted(DomainTemplate.objects.values_list("pk", "name", "xml")),
        sorted(DeviceSlot.objects.values_list("pk", "template_id", "position", "profile_id", "xml")),
    )


@pytest.mark.django_db
def test_it_loads_the_starter_library():
    out, err, code = run_command("load_starter")

    assert code == 0, err
    lines = out.splitlines()
    assert lines and all(line.startswith("added ") for line in lines), lines
    assert DeviceProfile.objects.count() == 12
    assert sorted(DomainTemplate.objects.values_list("name", flat=True)) == [
        "fv0",
        "linux-server",
        "minimal-headless",
        "windows-11",
    ]
    assert DeviceSlot.objects.count() > 0


@pytest.mark.django_db
def test_it_loads_the_starter_library_only_once():
    run_command("load_starter")
    first = library()

    out, err, code = run_command("load_starter")

    assert code == 0, err
    lines = out.splitlines()
    assert lines and all(line.startswith("kept ") for line in lines), lines
    assert library() == first
