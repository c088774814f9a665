"""Bundles: a template with its linked profiles as one JSON file, and back."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from builder.library.bundles import BundleError, export_bundle, import_bundle
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate, TemplateRevision
from builder.library.rendering import render_xml
from builder.library.services import import_domain
from tests.editor_support import html_of
from tests.helpers import run_command

pytestmark = pytest.mark.django_db

DOMAIN = b"""<domain type='kvm'>
  <name>web</name>
  <memory unit='KiB'>1048576</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <!-- the system disk -->
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${disk_path}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <console type='pty'/>
  </devices>
</domain>
"""
NIC = "<interface type='bridge'><source bridge='br0'/><model type='virtio'/></interface>"
# The same NIC written differently: other quotes, attribute layout and an empty-element form.
NIC_AGAIN = '<interface  type="bridge"><source bridge="br0"></source><model type="virtio"/></interface>'
VNC = "<graphics type='vnc' port='-1' listen='127.0.0.1'/>"


@pytest.fixture
def template() -> DomainTemplate:
    """Own-XML slots (disk with a comment, console), two linked profiles (one used twice), parameters."""
    t = import_domain(DOMAIN).template
    t.parameters = [{"name": "disk_path", "default": "/var/lib/libvirt/images/web.qcow2"}]
    t.description = "the web server"
    t.save()
    nic = DeviceProfile.objects.create(name="Bridged NIC", description="onto br0", xml=NIC)
    vnc = DeviceProfile.objects.create(name="VNC", xml=VNC)
    start = t.slots.count()
    for i, p in enumerate([nic, vnc, nic]):
        DeviceSlot.objects.create(template=t, position=start + i, profile=p)
    return t


def _bytes(data: dict) -> bytes:
    return json.dumps(data).encode("utf-8")


def _wipe() -> None:
    TemplateRevision.objects.all().delete()
    DeviceSlot.objects.all().delete()
    DomainTemplate.objects.all().delete()
    DeviceProfile.objects.all().delete()


def _counts() -> tuple[int, int, int, int]:
    return (
        DomainTemplate.objects.count(),
        DeviceSlot.objects.count(),
        DeviceProfile.objects.count(),
        TemplateRevision.objects.count(),
    )


def test_it_exports_bundle_local_keys_not_ids(template):
    data = export_bundle(template)
    assert data["format"] == "domain-builder-bundle" and data["version"] == 1
    assert data["template"]["parameters"] == template.parameters
    assert [s["profile"] for s in data["slots"]] == [None, None, "p1", "p2", "p1"]
    assert set(data["profiles"]) == {"p1", "p2"}
    assert data["profiles"]["p1"] == {"name": "Bridged NIC", "kind": "interface", "description": "onto br0", "xml": NIC}
    json.dumps(data)  # plain JSON all through


def test_it_round_trips_into_an_empty_library_byte_for_byte(template):
    original = render_xml(template)
    data = _bytes(export_bundle(template))
    _wipe()
    assert _counts() == (0, 0, 0, 0)

    imported, notes = import_bundle(data)

    assert render_xml(imported) == original
    assert imported.name == "web" and imported.description == "the web server"
    assert imported.parameters == [{"name": "disk_path", "default": "/var/lib/libvirt/images/web.qcow2"}]
    slots = list(imported.slots.order_by("position"))
    assert [s.profile.name if s.profile else None for s in slots] == [None, None, "Bridged NIC", "VNC", "Bridged NIC"]
    assert slots[2].profile_id == slots[4].profile_id
    assert DeviceProfile.objects.count() == 2
    assert notes == [
        f"created profile {slots[2].profile_id} (Bridged NIC)",
        f"created profile {slots[3].profile_id} (VNC)",
    ]
    assert imported.revisions.count() == 1


def test_it_reuses_identical_profiles_when_imported_twice(template):
    data = _bytes(export_bundle(template))
    profiles = DeviceProfile.objects.count()
    first, notes1 = import_bundle(data)
    second, notes2 = import_bundle(data)
    assert DeviceProfile.objects.count() == profiles
    assert all(n.startswith("reused profile ") for n in notes1 + notes2)
    linked = [[s.profile_id for s in t.slots.order_by("position") if s.profile_id] for t in (template, first, second)]
    assert linked[0] == linked[1] == linked[2]
    assert render_xml(first) == render_xml(second) == render_xml(template)


def test_it_reuses_a_profile_equal_after_canonicalisation_and_keeps_same_named_others(template):
    data = export_bundle(template)
    data["profiles"]["p1"]["xml"] = NIC_AGAIN
    data["profiles"]["p2"]["xml"] = "<graphics type='spice'/>"  # same name "VNC", other XML
    nic = DeviceProfile.objects.get(name="Bridged NIC")
    imported, notes = import_bundle(_bytes(data))
    slots = [s for s in imported.slots.order_by("position") if s.profile_id]
    assert slots[0].profile_id == nic.pk
    assert DeviceProfile.objects.filter(name="VNC").count() == 2
    assert notes[0] == f"reused profile {nic.pk} (Bridged NIC)"
    assert notes[1].startswith("created profile ") and notes[1].endswith("(VNC)")


def _hostile(template) -> dict[str, tuple[bytes, str]]:
    base = export_bundle(template)

    def edited(change) -> bytes:
        data = json.loads(json.dumps(base))
        change(data)
        return _bytes(data)

    xxe = (
        '<!DOCTYPE disk [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<disk type='file'><source file='&x;'/><target dev='vdb'/></disk>"
    )
    return {
        "xxe in a slot": (edited(lambda d: d["slots"][0].update(xml=xxe)), "slot 1: the xml"),
        "xxe in a profile": (edited(lambda d: d["profiles"]["p1"].update(xml=xxe)), "profile 'p1'"),
        "xxe in the template": (edited(lambda d: d["template"].update(xml=xxe)), "the template's xml"),
        "not json": (b"<domain type='kvm'/>", "not JSON"),
        "not a bundle": (b'{"name": "web"}', "not a bundle"),
        "wrong version": (edited(lambda d: d.update(version=2)), "version 2 is not supported"),
        "version as text": (edited(lambda d: d.update(version="1")), "'version' has the wrong type"),
        "missing key": (edited(lambda d: d.pop("slots")), "lacks 'slots'"),
        "wrong type": (
            edited(lambda d: d["template"].update(parameters="disk_path")),
            "'parameters' has the wrong type",
        ),
        "dangling key": (edited(lambda d: d["slots"][2].update(profile="p9")), "'p9', which the bundle does not hold"),
        "profile is a domain": (
            edited(lambda d: d["profiles"]["p2"].update(xml="<domain type='kvm'><name>x</name></domain>")),
            "<domain> is not a device",
        ),
        "kind mismatch": (edited(lambda d: d["profiles"]["p2"].update(kind="disk")), "a disk profile needs a <disk>"),
        "bad parameter": (
            edited(lambda d: d["template"].update(parameters=[{"name": "1x", "default": ""}])),
            "not a parameter name",
        ),
        "not utf-8": (b'{"format": "domain-builder-bundle", "x": "\xff"}', "not UTF-8"),
    }


def test_it_refuses_hostile_bundles_and_saves_nothing(template, settings):
    settings.MAX_XML_BYTES = 64 * 1024
    cases = _hostile(template)
    cases["oversized"] = (b" " * (64 * 1024 * 8 + 1), "larger than the bundle limit")
    before = _counts()
    for label, (data, reason) in cases.items():
        with pytest.raises(BundleError) as e:
            import_bundle(data)
        assert reason in str(e.value), (label, str(e.value))
        assert _counts() == before, label


def test_it_saves_nothing_when_a_later_step_fails(template):
    """A profile that would be created before the failure is rolled back with it."""
    data = export_bundle(template)
    data["profiles"]["p1"]["xml"] = "<interface type='network'><source network='default'/></interface>"
    data["template"]["name"] = "x" * 500
    before = _counts()
    with pytest.raises(BundleError, match="longer than 200"):
        import_bundle(_bytes(data))
    assert _counts() == before


def test_it_exports_and_imports_through_the_commands(template, tmp_path):
    out, err, code = run_command("export_bundle", str(template.pk))
    assert code == 0 and err == ""
    assert json.loads(out) == export_bundle(template)
    path = tmp_path / "web.bundle.json"
    assert run_command("export_bundle", str(template.pk), "-o", str(path)) == ("", "", 0)
    assert json.loads(path.read_text(encoding="utf-8")) == export_bundle(template)

    out, err, code = run_command("import_bundle", str(path))
    assert code == 0 and err == ""
    first, *rest = out.splitlines()
    new = DomainTemplate.objects.exclude(pk=template.pk).get()
    assert first == f"imported {path} as template {new.pk} (web)"
    nic, vnc = DeviceProfile.objects.get(name="Bridged NIC"), DeviceProfile.objects.get(name="VNC")
    assert rest == [f"note: reused profile {nic.pk} (Bridged NIC)", f"note: reused profile {vnc.pk} (VNC)"]


def test_it_reports_each_bad_file_and_exits_1(template, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(export_bundle(template)), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"not json at all")
    missing = tmp_path / "missing.json"
    out, err, code = run_command("import_bundle", str(bad), str(good), str(missing))
    assert code == 1
    assert out.splitlines()[0].startswith(f"imported {good} as template ")
    lines = err.splitlines()
    assert lines[0].startswith(f"error: {bad}: this is not JSON")
    assert lines[1].startswith(f"error: {missing}: ")
    assert "2 of 3 files could not be imported" in lines[2]
    assert DomainTemplate.objects.count() == 2


def test_it_refuses_an_unknown_template_id():
    _out, err, code = run_command("export_bundle", "999999")
    assert code == 1 and "no template with id 999999" in err


def test_it_downloads_the_bundle(client, template):
    page = client.get(f"/templates/{template.pk}/").content.decode()
    assert f'href="/templates/{template.pk}/bundle/"' in page and "Download bundle" in page
    response = client.get(f"/templates/{template.pk}/bundle/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="web.bundle.json"'
    assert json.loads(response.content.decode("utf-8")) == export_bundle(template)
    assert client.get("/templates/999999/bundle/").status_code == 404


def test_it_imports_a_bundle_on_the_import_page(client, template):
    page = client.get("/import/").content.decode()
    assert '<label for="bundle">Bundle file</label>' in page
    assert 'id="bundle" name="bundle" type="file"' in page

    upload = SimpleUploadedFile("web.bundle.json", _bytes(export_bundle(template)), "application/json")
    response = client.post("/import/", {"bundle": upload})
    assert response.status_code == 200
    new = DomainTemplate.objects.exclude(pk=template.pk).get()
    page = response.content.decode()
    assert f'href="/templates/{new.pk}/"' in page and "web.bundle.json" in page
    assert "note: reused profile" in page
    assert render_xml(new) == render_xml(template)

    before = _counts()
    upload = SimpleUploadedFile("bad.bundle.json", b'{"format": "domain-builder-bundle", "version": 7}')
    response = client.post("/import/", {"bundle": upload})
    assert response.status_code == 422
    assert "error: bundle version 7 is not supported" in response.content.decode()
    assert _counts() == before


def test_it_never_links_to_someone_elses_private_profile(template):
    from django.contrib.auth import get_user_model

    make = get_user_model().objects.create_user
    alice, bob, carol = make("alice"), make("bob"), make("carol")
    data = json.dumps(export_bundle(template)).encode()
    DeviceProfile.objects.update(owner=carol, visibility="private")  # the originals: carol's, private
    first, _ = import_bundle(data, owner=alice)  # alice's own private copies
    second, notes = import_bundle(data, owner=bob)
    alices = set(first.slots.exclude(profile=None).values_list("profile", flat=True))
    bobs = set(second.slots.exclude(profile=None).values_list("profile", flat=True))
    assert alices and bobs and not alices & bobs
    assert all(n.startswith("created profile ") for n in notes if "profile" in n)
    third, again = import_bundle(data, owner=bob)  # his own copies, now, are reused
    assert set(third.slots.exclude(profile=None).values_list("profile", flat=True)) == bobs
    assert again == [n.replace("created", "reused") for n in notes]


# -- malformed bundles: refused with one short line, through the page and the command, nothing saved --

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
