"""import_domain against input nobody should trust: each bad file is refused quickly, with a reason, saving nothing.

The contract: `manage.py import_domain FILE [FILE ...]` prints `imported FILE as template ID (NAME)` for
each good file, `error: FILE: reason` on stderr for each bad one, goes on with the other files, and exits
with status 1 if any file failed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from builder.domainxml.assemble import is_device
from builder.library.models import DeviceSlot, DomainTemplate
from tests.helpers import ROOT, STARTER
from tests.hostile_support import HOSTILE, MiB, billion_laughs, padded_description, xxe

STARTER_DEVICES = sum(1 for node in etree.parse(str(STARTER)).getroot().find("devices") if is_device(node))


def import_files(*paths: Path) -> tuple[str, str, int, float]:
    """(stdout, stderr, exit status, seconds) of `import_domain` on these files, in this process."""
    out, err = StringIO(), StringIO()
    code = 0
    start = time.perf_counter()
    try:
        call_command("import_domain", *map(str, paths), stdout=out, stderr=err)
    except CommandError as e:
        code = e.returncode
    except SystemExit as e:
        code = e.code
    elapsed = time.perf_counter() - start
    return out.getvalue(), err.getvalue(), code, elapsed


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "reason"), [(m, r) for _, m, r in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_it_refuses_hostile_input_quickly_with_a_reason_and_saves_nothing(make, reason, tmp_path, listener):
    path = tmp_path / "hostile.xml"
    path.write_bytes(make(listener.url))

    out, err, code, elapsed = import_files(path)

    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    prefix = f"error: {path}: "
    assert lines[0].startswith(prefix), err
    message = lines[0][len(prefix) :]
    assert re.search(reason, message), f"unclear reason: {message!r}"
    assert "Traceback" not in err
    assert DomainTemplate.objects.count() == 0
    assert DeviceSlot.objects.count() == 0
    assert listener.requests == []
    assert "FETCHED-FROM-THE-NETWORK" not in out + err
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


@pytest.mark.django_db
def test_it_does_not_read_etc_passwd_through_an_external_entity(tmp_path, listener):
    path = tmp_path / "xxe.xml"
    path.write_bytes(xxe(listener.url))

    out, err, code, _ = import_files(path)

    assert code == 1
    assert "DOCTYPE" in err
    assert "root:" not in out + err
    passwd = Path("/etc/passwd").read_text(errors="replace").splitlines()
    for line in passwd[:5]:
        assert line not in out + err
    assert DomainTemplate.objects.count() == 0


@pytest.mark.django_db
def test_it_names_the_limit_not_the_bytes_it_read_of_a_huge_file(tmp_path, listener):
    path = tmp_path / "huge.xml"
    path.write_bytes(padded_description(listener.url))
    assert path.stat().st_size == 20 * MiB

    _, err, code, elapsed = import_files(path)

    assert code == 1
    assert "larger than the limit of 1,048,576 bytes" in err
    assert "1,048,577" not in err  # only that much was read: it is not the file's size
    assert elapsed < 1.0


@pytest.mark.django_db
def test_it_imports_the_good_file_and_reports_the_bad_one(tmp_path, listener):
    bad = tmp_path / "laughs.xml"
    bad.write_bytes(billion_laughs(listener.url))
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    good = tmp_path / "good.xml"
    shutil.copy(STARTER, good)

    out, err, code, _ = import_files(bad, good, empty)

    assert code == 1
    template = DomainTemplate.objects.get()
    assert template.name == "fv0"
    assert DeviceSlot.objects.filter(template=template).count() == STARTER_DEVICES
    assert out.splitlines()[0] == f"imported {good} as template {template.pk} (fv0)"
    assert all(line.startswith("warning: ") for line in out.splitlines()[1:])
    errors = err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {bad}: ") and "DOCTYPE" in errors[0]
    assert errors[1].startswith(f"error: {empty}: ") and "empty" in errors[1]


@pytest.mark.django_db
def test_it_reports_a_missing_file_and_goes_on(tmp_path):
    good = tmp_path / "good.xml"
    shutil.copy(STARTER, good)
    missing = tmp_path / "missing.xml"

    out, err, code, _ = import_files(missing, good)

    assert code == 1
    assert err.splitlines() == [f"error: {missing}: No such file or directory"]
    assert f"imported {good} as template" in out
    assert DomainTemplate.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("counts", [("9" * 5000, "9" * 30), ("9" * 20, "1" * 4000), ("²", "²")])
def test_it_imports_a_domain_whose_counts_no_column_can_hold(tmp_path, counts):
    """The vCPU and memory columns only list what the XML says: past what they hold, they are left empty."""
    vcpu, memory = counts
    path = tmp_path / "big.xml"
    path.write_text(f"<domain type='kvm'><name>big</name><memory>{memory}</memory><vcpu>{vcpu}</vcpu></domain>")
    _out, err, code, _ = import_files(path)
    assert code == 0, err
    template = DomainTemplate.objects.get()
    assert (template.vcpus, template.memory_kib) == (None, None)
    assert f">{vcpu}</vcpu>" in template.xml


# -- the real exit status, in a process of its own ----------------------------------------------------


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hostile-db") / "migrated.sqlite3"
    result = manage(db, "migrate", "--noinput", "-v", "0")
    assert result.returncode == 0, result.stderr
    return db


def manage(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "builder.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_exits_1_when_one_of_the_files_fails(migrated_db, tmp_path, listener):
    db = tmp_path / "db.sqlite3"
    shutil.copy(migrated_db, db)
    good = tmp_path / "good.xml"
    shutil.copy(STARTER, good)
    bad = tmp_path / "xxe.xml"
    bad.write_bytes(xxe(listener.url))

    result = manage(db, "import_domain", str(bad), str(good))

    assert result.returncode == 1
    assert re.search(rf"^imported {re.escape(str(good))} as template \d+ \(fv0\)$", result.stdout, re.M)
    assert re.search(rf"^error: {re.escape(str(bad))}: .*DOCTYPE", result.stderr, re.M)
    assert "root:" not in result.stdout + result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select name from library_domaintemplate").fetchall() == [("fv0",)]
        assert conn.execute("select count(*) from library_deviceslot").fetchone() == (STARTER_DEVICES,)
    assert listener.requests == []


def test_it_exits_0_when_every_file_imports(migrated_db, tmp_path):
    db = tmp_path / "db.sqlite3"
    shutil.copy(migrated_db, db)
    good = tmp_path / "good.xml"
    shutil.copy(STARTER, good)

    result = manage(db, "import_domain", str(good))

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.fullmatch(rf"imported {re.escape(str(good))} as template \d+ \(fv0\)\n", result.stdout)
