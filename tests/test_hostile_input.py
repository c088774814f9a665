"""import_domain against input nobody should trust: each bad file is refused quickly, with a reason, saving nothing.

The contract: `manage.py import_domain FILE [FILE ...]` prints `imported FILE as template ID (NAME)` for
each good file, `error: FILE: reason` on stderr for each bad one, goes on with the other files, and exits
with status 1 if any file failed.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from builder.domainxml.assemble import is_device
from builder.library.models import DeviceSlot, DomainTemplate
from tests.helpers import ROOT

STARTER = ROOT / "builder" / "library" / "starter" / "templates" / "xen-hvm-example.xml"
STARTER_DEVICES = sum(1 for node in etree.parse(str(STARTER)).getroot().find("devices") if is_device(node))
MiB = 1024 * 1024


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


class Listener:
    """A local HTTP server that records every request: proof that the parser fetched nothing."""

    def __init__(self):
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                listener.requests.append(self.path)
                body = b'<!ENTITY leak "FETCHED-FROM-THE-NETWORK">'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def running_listener():
    with Listener() as server:
        yield server


@pytest.fixture
def listener(running_listener):
    running_listener.requests.clear()
    return running_listener


# -- the hostile files: (id, bytes given the listener's URL, what the reason must say) -------------------


def xxe(url: str) -> bytes:
    return (
        b"<?xml version='1.0'?>\n"
        b'<!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<domain type='kvm'><name>&xxe;</name><memory>524288</memory><vcpu>1</vcpu>"
        b"<os><type>hvm</type></os></domain>\n"
    )


def xxe_over_http(url: str) -> bytes:
    return (
        f"<?xml version='1.0'?>\n"
        f'<!DOCTYPE domain [<!ENTITY xxe SYSTEM "{url}/xxe">]>\n'
        f"<domain type='kvm'><name>&xxe;</name></domain>\n"
    ).encode()


def billion_laughs_text() -> str:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)
    ]
    return (
        "<?xml version='1.0'?>\n<!DOCTYPE domain [\n  "
        + "\n  ".join(entities)
        + "\n]>\n<domain type='kvm'><name>&lol9;</name><description>&lol9;</description></domain>\n"
    )


def billion_laughs(url: str) -> bytes:
    return billion_laughs_text().encode()


def billion_laughs_after_a_long_comment(url: str) -> bytes:
    # The DOCTYPE further in than a quick look at the first few kilobytes would see.
    text = billion_laughs_text().replace("\n", "\n<!--" + "x" * 10_000 + "-->\n", 1)
    return text.encode()


def external_dtd(url: str) -> bytes:
    return (
        f"<?xml version='1.0'?>\n"
        f'<!DOCTYPE domain SYSTEM "{url}/domain.dtd">\n'
        f"<domain type='kvm'><name>demo</name></domain>\n"
    ).encode()


def external_parameter_entity(url: str) -> bytes:
    return (
        f"<?xml version='1.0'?>\n"
        f'<!DOCTYPE domain [<!ENTITY % remote SYSTEM "{url}/remote.dtd"> %remote;]>\n'
        f"<domain type='kvm'><name>&leak;</name></domain>\n"
    ).encode()


def utf16_doctype_entity(url: str) -> bytes:
    text = (
        "<?xml version='1.0' encoding='UTF-16'?>\n"
        f'<!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "{url}/utf16">]>\n'
        "<domain type='kvm'><name>&xxe;&net;</name></domain>\n"
    )
    return text.encode("utf-16")  # with a byte order mark


def utf16le_doctype_entity_without_bom(url: str) -> bytes:
    return utf16_doctype_entity(url)[2:]


def utf16_billion_laughs(url: str) -> bytes:
    return billion_laughs_text().replace("version='1.0'", "version='1.0' encoding='UTF-16'").encode("utf-16")


def truncated(url: str) -> bytes:
    data = STARTER.read_bytes()
    return data[: len(data) // 2]


def truncated_inside_a_tag(url: str) -> bytes:
    data = STARTER.read_bytes()
    return data[: data.index(b"<source file=") + len(b"<source fi")]


def html_page(url: str) -> bytes:
    return (
        b"<!DOCTYPE html>\n<html lang='en'>\n<head><meta charset='utf-8'><title>virsh dumpxml</title></head>\n"
        b"<body><h1>Saved the wrong page</h1><p>Not a domain<br>at all</p></body>\n</html>\n"
    )


def padded_description(url: str) -> bytes:
    head = b"<domain type='kvm'>\n  <name>huge</name>\n  <description>"
    tail = b"</description>\n  <memory unit='KiB'>524288</memory>\n  <vcpu>1</vcpu>\n</domain>\n"
    return head + b"A" * (20 * MiB - len(head) - len(tail)) + tail


def padded_comments(url: str) -> bytes:
    comment = b"<!-- " + b"padding " * 12 + b"-->\n"
    body = comment * (20 * MiB // len(comment) + 1)
    return b"<domain type='kvm'>\n  <name>huge</name>\n" + body + b"</domain>\n"


def deep_metadata(url: str) -> bytes:
    levels = 20_000
    return (
        b"<domain type='kvm'><name>deep</name><metadata>"
        + b"<a>" * levels
        + b"</a>" * levels
        + b"</metadata><memory>524288</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
    )


def moderately_deep_metadata(url: str) -> bytes:
    # Deeper than any real domain but within lxml's own limit of 256: the project's own cap must catch it.
    levels = 200
    return (
        b"<domain type='kvm'><name>deep</name><metadata>" + b"<a>" * levels + b"</a>" * levels + b"</metadata></domain>"
    )


HOSTILE = [
    ("xxe-file-entity", xxe, r"DOCTYPE"),
    ("xxe-http-entity", xxe_over_http, r"DOCTYPE"),
    ("billion-laughs", billion_laughs, r"DOCTYPE"),
    ("billion-laughs-after-long-comment", billion_laughs_after_a_long_comment, r"DOCTYPE"),
    ("external-dtd-http", external_dtd, r"DOCTYPE"),
    ("external-parameter-entity", external_parameter_entity, r"DOCTYPE"),
    ("empty", lambda url: b"", r"\bempty\b"),
    ("only-whitespace", lambda url: b"  \n\t\r\n   \n", r"\bempty\b"),
    ("truncated", truncated, r"truncated|not closed"),
    ("truncated-inside-a-tag", truncated_inside_a_tag, r"truncated|not closed"),
    ("invalid-utf8", lambda url: b"<domain type='kvm'><name>\xff\xfe</name></domain>", r"UTF-8|encoding"),
    ("network-root", lambda url: b"<network>\n  <name>default</name>\n</network>\n", r"<network>.*not <domain>"),
    ("json", lambda url: b'{"domain": {"type": "kvm", "name": "demo"}}\n', r"JSON"),
    ("html-page", html_page, r"HTML"),
    ("20MiB-description", padded_description, r"limit"),
    ("20MiB-comments", padded_comments, r"limit"),
    ("20000-levels-in-metadata", deep_metadata, r"deeply"),
    ("200-levels-in-metadata", moderately_deep_metadata, r"deeply"),
    ("utf16-doctype-entity", utf16_doctype_entity, r"DOCTYPE"),
    ("utf16le-doctype-entity-no-bom", utf16le_doctype_entity_without_bom, r"DOCTYPE"),
    ("utf16-billion-laughs", utf16_billion_laughs, r"DOCTYPE"),
]


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
