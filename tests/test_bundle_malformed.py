"""Malformed bundles: refused with one short line, through the page and the command, nothing saved."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from builder.library.models import DomainTemplate, TemplateRevision
from builder.library.rendering import render_xml
from tests.bundle_support import NIC
from tests.bundle_support import bundle_bytes as _bytes
from tests.bundle_support import library_counts as _counts
from tests.editor_support import html_of
from tests.helpers import run_command

pytestmark = pytest.mark.django_db


# The smallest bundle with every kind of field; each malformed one below is it with one thing wrong.
GOOD = {
    "format": "domain-builder-bundle",
    "version": 1,
    "template": {
        "name": "web",
        "description": "the web server",
        "xml": "<domain type='kvm'><name>web</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu>"
        "<os><type arch='x86_64'>hvm</type></os><devices/></domain>",
        "parameters": [{"name": "disk_path", "default": "/var/lib/libvirt/images/web.qcow2"}],
    },
    "slots": [{"profile": None, "xml": "<console type='pty'/>"}, {"profile": "p1", "xml": ""}],
    "profiles": {"p1": {"name": "Bridged NIC", "kind": "interface", "description": "onto br0", "xml": NIC}},
}
HUGE = "9" * 5000  # past Python's 4,300 digits for turning text into an int
LIMIT = django_settings.MAX_XML_BYTES  # of a description, in characters


def _at(*path_and_value) -> bytes:
    """GOOD with the value at one path (keys and indexes) replaced; `...` as the value deletes it."""
    *path, value = path_and_value
    data = json.loads(json.dumps(GOOD))
    *inner, last = path
    target = data
    for step in inner:
        target = target[step]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return _bytes(data)


def _raw(old: str, new: str) -> bytes:
    """GOOD as JSON text with `old` (which it holds once) written as `new`: for what json.dumps cannot write."""
    text = json.dumps(GOOD)
    assert text.count(old) == 1, old
    return text.replace(old, new).encode("utf-8")


def _nested(depth: int):
    return json.loads("[" * depth + "]" * depth)


MALFORMED = [
    # numbers
    ("version of 5000 digits", _raw('"version": 1', f'"version": {HUGE}'), "has 5,000 digits"),
    ("negative version of 5000 digits", _raw('"version": 1', f'"version": -{HUGE}'), "has 5,000 digits"),
    ("5000 digits in a slot", _raw('"xml": ""', f'"xml": {HUGE}'), "has 5,000 digits"),
    ("the whole file is a 5000-digit number", HUGE.encode(), "has 5,000 digits"),
    ("version of 31 digits", _raw('"version": 1', '"version": 1' + "0" * 30), "has 31 digits"),
    ("version too high", _at("version", 10**15), "version 1000000000000000 is not supported"),
    ("version negative", _at("version", -1), "version -1 is not supported"),
    ("version zero", _at("version", 0), "version 0 is not supported"),
    ("version with a fraction", _at("version", 1.0), "'version' has the wrong type (a number with a fraction)"),
    ("version NaN", _raw('"version": 1', '"version": NaN'), "NaN is not a number JSON allows"),
    ("version Infinity", _raw('"version": 1', '"version": -Infinity'), "-Infinity is not a number JSON allows"),
    ("version 1e999", _raw('"version": 1', '"version": 1e999'), "'version' has the wrong type"),
    ("version as text", _at("version", "1"), "'version' has the wrong type (a string)"),
    ("version as 100,000 digits of text", _at("version", "1" * 100_000), "'version' has the wrong type (a string)"),
    ("version true", _at("version", True), "'version' has the wrong type (true or false)"),
    ("version null", _at("version", None), "'version' has the wrong type (null)"),
    ("version a list", _at("version", [1]), "'version' has the wrong type (an array)"),
    ("version missing", _at("version", ...), "the bundle lacks 'version'"),
    # shapes
    ("a list", b"[]", "this is not a bundle"),
    ("null", b"null", "this is not a bundle"),
    ("format a number", _at("format", 1), "this is not a bundle"),
    ("template a list", _at("template", []), "'template' has the wrong type (an array); it must be an object"),
    ("template null", _at("template", None), "'template' has the wrong type (null)"),
    ("template text", _at("template", "web"), "'template' has the wrong type (a string)"),
    ("slots an object", _at("slots", {}), "'slots' has the wrong type (an object); it must be an array"),
    ("profiles a list", _at("profiles", []), "'profiles' has the wrong type (an array)"),
    ("parameters an object", _at("template", "parameters", {}), "'parameters' has the wrong type (an object)"),
    ("a slot null", _at("slots", 1, None), "slot 2 must be a JSON object, not null"),
    ("a slot a list", _at("slots", 0, []), "slot 1 must be a JSON object, not an array"),
    ("a slot without xml", _at("slots", 0, "xml", ...), "slot 1 lacks 'xml'"),
    ("a profile text", _at("profiles", "p1", "NIC"), "profile 'p1' must be a JSON object, not a string"),
    ("a parameter text", _at("template", "parameters", 0, "disk_path"), "parameter 1 must be a JSON object"),
    ("a slot's profile a number", _at("slots", 1, "profile", 1), "slot 2: 'profile' has the wrong type (an integer)"),
    ("a slot's profile true", _at("slots", 1, "profile", True), "slot 2: 'profile' has the wrong type (true or false)"),
    ("a slot's xml null", _at("slots", 0, "xml", None), "slot 1: 'xml' has the wrong type (null)"),
    ("a profile's name a number", _at("profiles", "p1", "name", 7), "profile 'p1': 'name' has the wrong type"),
    ("a parameter's default a list", _at("template", "parameters", 0, "default", []), "'default' has the wrong type"),
    ("a parameter's name null", _at("template", "parameters", 0, "name", None), "'name' has the wrong type (null)"),
    ("an unknown key", _at("extra", 1), "the bundle has unknown keys: 'extra'"),
    ("nested too deeply", _raw('"the web server"', "[" * 50_000 + "]" * 50_000), "nested too deeply"),
    ("an array nested deep", _at("template", "description", _nested(500)), "'description' has the wrong type"),
    # counts
    ("1001 slots", _at("slots", [{"profile": "p1", "xml": ""}] * 1001), "1,001 entries, more than the 1,000"),
    ("1001 parameters", _at("template", "parameters", [{"name": "p", "default": ""}] * 1001), "1,001 entries"),
    ("1001 profiles", _at("profiles", {f"p{i}": GOOD["profiles"]["p1"] for i in range(1001)}), "1,001 entries"),
    # strings
    ("template name too long", _at("template", "name", "w" * 201), "the template's name is longer than 200"),
    ("template name blank", _at("template", "name", "  "), "the template's name is empty"),
    ("template name on two lines", _at("template", "name", "web\nserver"), "the template's name holds U+000A"),
    ("profile name too long", _at("profiles", "p1", "name", "n" * 201), "profile 'p1': the name is longer than 200"),
    ("profile name with NUL", _at("profiles", "p1", "name", "a\x00b"), "profile 'p1': the name holds U+0000"),
    ("description with a lone surrogate", _raw('"the web server"', '"\\ud800"'), "description holds U+D800"),
    ("description with NUL", _at("template", "description", "a\x00b"), "the template's description holds U+0000"),
    ("description past the XML limit", _at("template", "description", "d" * (LIMIT + 1)), f"longer than {LIMIT:,}"),
    ("slot xml with a lone surrogate", _raw('"<console', '"\\udfff<console'), "slot 1: the xml holds U+DFFF"),
    ("template xml with a control character", _at("template", "xml", "<domain>\x01</domain>"), "xml holds U+0001"),
    ("profile key too long", _raw('"p1": {', '"' + "k" * 5000 + '": {'), "a profile's key is longer than 100"),
    ("profile key empty", _raw('"p1": {', '"": {'), "a profile's key is empty"),
    ("profile kind too long", _at("profiles", "p1", "kind", "k" * 1000), "the kind is longer than 32"),
    ("parameter name too long", _at("template", "parameters", 0, "name", "p" * 5000), "the name is longer than 100"),
    ("parameter default with a bell", _at("template", "parameters", 0, "default", "\x07"), "default holds U+0007"),
    ("an unknown key of 100,000 characters", _at("x" * 100_000, 1), "the bundle has unknown keys: 'xxx"),
]


def _one_short_line(message: str) -> bool:
    return "\n" not in message and len(message) <= 300 and "Traceback" not in message


@pytest.mark.parametrize(("data", "reason"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_it_refuses_a_malformed_bundle_on_the_import_page(client, data, reason):
    response = client.post("/import/", {"bundle": SimpleUploadedFile("bad.bundle.json", data, "application/json")})
    assert response.status_code == 422
    errors = [" ".join(e.text_content().split()) for e in html_of(response).find_class("problem")]
    assert len(errors) == 1 and reason in errors[0], errors
    assert _one_short_line(errors[0].removeprefix("error: "))
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(("data", "reason"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_it_refuses_a_malformed_bundle_in_the_command_with_one_line(tmp_path, data, reason):
    path = tmp_path / "bad.bundle.json"
    path.write_bytes(data)
    out, err, code = run_command("import_bundle", str(path))
    assert (out, code) == ("", 1)
    error, summary = err.splitlines()
    assert error.startswith(f"error: {path}: ") and reason in error, error
    assert _one_short_line(error.removeprefix(f"error: {path}: "))
    assert summary == "CommandError: 1 of 1 files could not be imported"
    assert _counts() == (0, 0, 0, 0)


def test_the_bundle_the_malformed_ones_are_made_from_imports(client, tmp_path):
    response = client.post("/import/", {"bundle": SimpleUploadedFile("good.bundle.json", _bytes(GOOD))})
    assert response.status_code == 200 and not html_of(response).find_class("problem")
    path = tmp_path / "good.bundle.json"
    path.write_bytes(_bytes(GOOD))
    out, err, code = run_command("import_bundle", str(path))
    assert (err, code) == ("", 0) and out.startswith(f"imported {path} as template ")
    assert (DomainTemplate.objects.count(), TemplateRevision.objects.count()) == (2, 2)


def test_it_imports_a_template_whose_counts_no_column_can_hold(client, tmp_path):
    """vCPUs and memory are listed from the XML; a count past what the columns hold is listed as unknown."""
    xml = GOOD["template"]["xml"].replace(">2</vcpu>", f">{HUGE}</vcpu>").replace(">1048576<", f">{'9' * 30}<")
    data = _at("template", "xml", xml)
    path = tmp_path / "big.bundle.json"
    path.write_bytes(data)
    assert run_command("import_bundle", str(path))[1:] == ("", 0)
    response = client.post("/import/", {"bundle": SimpleUploadedFile("big.bundle.json", data)})
    assert response.status_code == 200
    for t in DomainTemplate.objects.all():
        assert (t.vcpus, t.memory_kib) == (None, None)
        assert HUGE in render_xml(t)
