"""Bundles: a template with its linked profiles as one JSON file, exported and imported back.

Through the library, the commands and the pages; malformed bundles are in tests/test_bundle_malformed.py.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from builder.library.bundles import BundleError, export_bundle, import_bundle
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate, TemplateRevision
from builder.library.rendering import render_xml
from builder.library.services import import_domain
from tests.bundle_support import NIC
from tests.bundle_support import bundle_bytes as _bytes
from tests.bundle_support import library_counts as _counts
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


def _wipe() -> None:
    TemplateRevision.objects.all().delete()
    DeviceSlot.objects.all().delete()
    DomainTemplate.objects.all().delete()
    DeviceProfile.objects.all().delete()


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
