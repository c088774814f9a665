"""Pushing templates to libvirt hosts (its test driver, in this process), and what the host offers the editor.

Failed pushes are in tests/test_host_push_failures.py, who may push in tests/test_host_push_rights.py.
"""

from __future__ import annotations

import sys

import pytest
from lxml import etree

from builder.hosts import client as host_client
from builder.hosts import push as pushing
from builder.hosts.models import Deployment, Host
from builder.library import editing, publishing, rendering, services
from builder.library.models import DomainTemplate, Team
from tests.helpers import run_command
from tests.host_support import GUEST, host_state

pytestmark = pytest.mark.django_db


def lxml_html(page: str):
    import lxml.html

    return lxml.html.fromstring(page)


def editor_values(client, template) -> dict:
    from tests.editor_support import editor_form

    return editor_form(client, template)


# -- push -----------------------------------------------------------------------------------------


def test_define_records_a_deployment_and_shows_what_libvirt_added(client, template, test_host):
    r = client.post(f"/templates/{template.pk}/push/", {"host": test_host.pk, "define": "1", "name": "dbtest-one"})
    d = Deployment.objects.get()
    assert r.status_code == 302 and r.url == f"/deployments/{d.pk}/"
    assert d.ok and d.error == "" and d.action == "define" and d.domain_name == "dbtest-one"
    assert d.template == template and d.revision_label == "draft" and d.user.username == "tester"
    assert host_state(test_host, d.domain_uuid) == "shut off"
    assert etree.fromstring(d.returned_xml.encode()).findtext("uuid") == d.domain_uuid
    page = client.get(r.url).content.decode()
    assert "libvirt accepted it" in page and "Added or normalised by libvirt" in page
    assert "Nothing that was sent was dropped or changed." in page


def test_define_and_start_runs_it_and_the_host_page_lists_it(client, template, test_host):
    client.post(f"/templates/{template.pk}/push/", {"host": test_host.pk, "start": "1", "name": "dbtest-two"})
    d = Deployment.objects.get()
    assert d.ok and d.action == "start"
    assert host_state(test_host, d.domain_uuid) == "running"
    page = client.get(f"/hosts/{test_host.pk}/").content.decode()
    assert "dbtest-two" in page and ">running<" in page


def test_push_uses_the_published_revision_unless_asked_for_the_draft(client, template, test_host, django_user_model):
    publishing.publish(template, django_user_model.objects.get(username="tester"))
    editing.replace_xml(template, rendering.render_xml(template).replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>"))
    client.post(f"/templates/{template.pk}/push/", {"host": test_host.pk, "define": "1", "name": "dbtest-pub"})
    client.post(
        f"/templates/{template.pk}/push/",
        {"host": test_host.pk, "define": "1", "name": "dbtest-draft", "revision": "draft"},
    )
    published, draft = Deployment.objects.order_by("id")
    assert published.revision_label == "published revision 1" and published.revision.number == 1
    assert "<vcpu>1</vcpu>" in published.sent_xml and "<vcpu>2</vcpu>" in draft.sent_xml
    assert draft.revision_label == "draft"


def test_start_shut_off_undefine_each_ask_first_then_act(client, template, test_host):
    d = pushing.push(template, test_host, None, start=True, values={"name": "dbtest-life"})
    assert "Shut off dbtest-life" in client.get(f"/deployments/{d.pk}/destroy/").content.decode()
    assert host_state(test_host, d.domain_uuid) == "running"  # asking changed nothing
    client.post(f"/deployments/{d.pk}/destroy/")
    assert host_state(test_host, d.domain_uuid) == "shut off"
    client.post(f"/deployments/{d.pk}/start/")
    assert host_state(test_host, d.domain_uuid) == "running"
    client.post(f"/deployments/{d.pk}/destroy/")
    client.post(f"/deployments/{d.pk}/undefine/")
    assert host_state(test_host, d.domain_uuid) == "not on the host"
    d.refresh_from_db()
    assert d.undefined is not None
    page = client.get(f"/hosts/{test_host.pk}/").content.decode()
    assert "dbtest-life" not in page.split("<h2>Domains defined")[1].split("<h2>Pushes")[0]


def test_check_drift_tells_a_domain_changed_on_the_host_from_one_left_alone(client, template, test_host):
    d = pushing.push(template, test_host, None, values={"name": "dbtest-drift"})
    same = client.post(f"/deployments/{d.pk}/drift/").content.decode()
    assert "No drift" in same
    changed = d.returned_xml.replace("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>3</vcpu>")
    assert changed != d.returned_xml
    host_client.call(test_host, "define", xml=changed)  # someone changed it with virsh edit
    drifted = client.post(f"/deployments/{d.pk}/drift/").content.decode()
    assert "It has drifted" in drifted and "vcpu" in drifted


def test_the_command_pushes_prints_the_changes_and_exits_1_on_failure(template, test_host):
    out, err, code = run_command(
        "push_template", str(template.pk), "--host", "sim", "--start", "--param", "name=dbtest-cli"
    )
    assert code == 0, err
    assert out.startswith("defined and started dbtest-cli (") and "libvirt added or normalised:" in out
    d = Deployment.objects.get()
    assert host_state(test_host, d.domain_uuid) == "running"
    out, err, code = run_command("push_template", str(template.pk), "--host", "nowhere")
    assert code == 1 and "no host called 'nowhere'" in err
    Host.objects.create(name="refused", uri="qemu+tcp://sasl@127.0.0.1:1/system")
    out, err, code = run_command("push_template", str(template.pk), "--host", "refused")
    assert code == 1 and err.startswith(f"error: {template.name} to refused:")


def test_add_host_adds_keeps_and_refuses_a_clash(db):
    Team.objects.create(name="ops")
    out, err, code = run_command("add_host", "kvm1", "qemu+ssh://root@kvm1/system", "--team", "ops")
    assert code == 0 and out.strip() == "added host kvm1 (qemu+ssh://root@kvm1/system)"
    assert list(Host.objects.get().teams.values_list("name", flat=True)) == ["ops"]
    assert run_command("add_host", "kvm1", "qemu+ssh://root@kvm1/system")[0].startswith("kept host kvm1")
    out, err, code = run_command("add_host", "kvm3", "qemu+ssh://root@kvm3/system?keyfile=/k/id")
    assert code == 1 and "keyfile" in err and "/k/id" not in err  # a key path is not stored
    out, err, code = run_command("add_host", "kvm1", "qemu:///system")
    assert code == 1 and "exists already" in err
    assert run_command("add_host", "kvm2", "qemu:///system", "--team", "nope")[2] == 1
    assert Host.objects.count() == 1


def test_without_the_bindings_the_app_runs_and_says_push_is_unavailable(client, template, test_host, monkeypatch):
    monkeypatch.setitem(sys.modules, "libvirt", None)  # `import libvirt` raises ImportError
    assert not host_client.bindings_available()
    page = client.get(f"/templates/{template.pk}/push/").content.decode()
    assert "Pushing is unavailable: libvirt-python is not installed" in page
    client.post(f"/templates/{template.pk}/push/", {"host": test_host.pk, "define": "1"})
    assert not Deployment.objects.exists()
    assert client.get(f"/templates/{template.pk}/").status_code == 200
    assert DomainTemplate.objects.count() == 1


# -- choices from the host --------------------------------------------------------------------------

KVM = GUEST.replace("type='test'", "type='kvm'").replace("<type>hvm</type>", "<type arch='x86_64'>hvm</type>")


def test_the_editor_checks_against_a_chosen_host_and_offers_its_values(client, test_host):
    # libvirt's test driver runs only i686 guests of type test: each other value is flagged at its field.
    x86 = services.import_domain(GUEST.replace("<type>hvm</type>", "<type arch='x86_64'>hvm</type>").encode()).template
    doc = lxml_html(client.get(f"/templates/{x86.pk}/", {"check_host": test_host.pk}).content.decode())
    arch_errors = doc.get_element_by_id("err-boot-arch").text_content()
    assert "sim cannot run this" in arch_errors and "x86_64" in arch_errors
    assert [o.get("value") for o in doc.xpath("//datalist[@id='offer-boot-arch']/option")] == ["i686"]
    assert doc.get_element_by_id("id_boot-arch").get("list") == "offer-boot-arch"
    kvm = services.import_domain(KVM.replace("x86_64", "i686").encode()).template
    doc = lxml_html(client.get(f"/templates/{kvm.pk}/").content.decode())  # the host stays chosen
    type_errors = doc.get_element_by_id("err-general-domain_type").text_content()
    assert "sim cannot run this" in type_errors and "kvm" in type_errors
    template = kvm
    # The choice is kept: the live preview checks against it too, without asking the host again.
    preview = client.post(f"/templates/{template.pk}/preview/", editor_values(client, template)).content.decode()
    assert "Also checked against what sim can run." in preview and "sim cannot run this" in preview
    fine = services.import_domain(GUEST.replace("<type>hvm</type>", "<type arch='i686'>hvm</type>").encode()).template
    page = client.get(f"/templates/{fine.pk}/").content.decode()
    assert "sim cannot run this" not in page and "Also checked against what sim can run." in page
    client.get(f"/templates/{fine.pk}/", {"check_host": ""})
    assert "Also checked" not in client.get(f"/templates/{fine.pk}/").content.decode()


def test_the_push_page_flags_what_the_host_cannot_run_before_pushing(client, test_host):
    template = services.import_domain(KVM.encode()).template  # kvm, x86_64: the test driver lists i686
    page = client.get(f"/templates/{template.pk}/push/", {"host": test_host.pk}).content.decode()
    assert "sim cannot run this as it is" in page and "x86_64" in page
    client.post(f"/templates/{template.pk}/push/", {"host": test_host.pk, "define": "1"})
    d = Deployment.objects.get()
    # The test driver defines what its capabilities do not list: libvirt has the last word.
    assert d.ok and d.domain_name == "dbtest-web"
    assert pushing.act(d, "undefine").ok  # the test driver is shared by every test: leave nothing on it


def test_the_host_page_asks_again_when_refreshed(client, test_host):
    assert "Not asked yet." in client.get(f"/hosts/{test_host.pk}/").content.decode()
    client.post(f"/hosts/{test_host.pk}/refresh/")
    assert "Architectures: i686" in client.get(f"/hosts/{test_host.pk}/").content.decode()


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("test:///default", "test:///default"),
        ("qemu:///system", "qemu:///system"),
        ("qemu+ssh://root:pw@kvm1:2222/system?keyfile=/k", "qemu+ssh://root@kvm1:2222/system"),
        ("qemu+tls://kvm2.example/system?pkipath=/etc/pki/x", "qemu+tls://kvm2.example/system"),
    ],
)
def test_a_uri_is_shown_without_its_secrets(uri, shown):
    from builder.hosts.models import safe_uri

    assert safe_uri(uri) == shown
