"""Conflicting saves of one template from parallel processes: no lost update, no 500, no "database is locked".

WORKERS separate OS processes (multiprocessing, spawn: each its own Django and its own database
connection) open the same template's editor, all on the same revision, and then, released together
by a barrier, each post a different save of it: the editor form, the raw XML, or some of each.
Exactly one save per round may go through; every other one must get the conflict page (409) and
store nothing. Runs against the database the suite runs on: SQLite (a file, see settings) in the
first pass of `make test`, PostgreSQL in the second.

The other pages that save from a loaded revision (a profile's page, one device's XML) are held to
the same rule, two people one after the other, below.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import traceback

import pytest

WORKERS = 12
ROUNDS = ("form", "raw", "mixed", "form")
TIMEOUT = 240  # s for the whole run: a worker that hangs fails the test instead of blocking the suite

pytestmark = pytest.mark.django_db(transaction=True)


def _kind(round_kind: str, worker: int) -> str:
    return round_kind if round_kind != "mixed" else ("form", "raw")[worker % 2]


def _vcpus(round_number: int, worker: int) -> int:
    """A vCPU count no other save of the run sends (and not the imported template's)."""
    return 100 + round_number * WORKERS + worker


def _worker(worker, database, template_pk, session_key, barrier, results) -> None:
    """One process: Django set up on the test database; per round: load, wait for all, save."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database  # the test database the parent made
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed
    logged: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            logged.append(self.format(record))

    handler = Collect()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("django").addHandler(handler)

    from tests.editor_support import changed, editor_form, raw_form

    class Template:  # what the test helpers need of a template
        pk = template_pk

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    try:
        for number, round_kind in enumerate(ROUNDS):
            barrier.wait()  # the previous round's saves are all answered
            kind = _kind(round_kind, worker)
            vcpus = _vcpus(number, worker)
            if kind == "form":
                form = editor_form(client, Template)
                data = changed(form, {"resources-vcpu": str(vcpus)})
                base, url, sent = form["base_revision"][0], f"/templates/{template_pk}/", None
            else:
                data = raw_form(client, Template)
                sent = _with_vcpus(data["xml"], vcpus)
                data["xml"] = sent
                base, url = data["base_revision"], f"/templates/{template_pk}/xml/"
            barrier.wait()  # everyone holds the same revision's page: save together
            response = client.post(url, data)
            body = response.content.decode(errors="replace")
            results.put(
                {
                    "round": number,
                    "worker": worker,
                    "kind": kind,
                    "base": base,
                    "vcpus": vcpus,
                    "sent": sent,
                    "status": response.status_code,
                    "location": response.get("Location", ""),
                    "body": body if response.status_code >= 500 or "locked" in body else "",
                    "log": list(logged),
                }
            )
            logged.clear()
    except Exception:
        results.put({"worker": worker, "crash": traceback.format_exc(), "log": list(logged)})
        barrier.abort()


def _with_vcpus(xml: str, vcpus: int) -> str:
    import re

    new, count = re.subn(r"(<vcpu\b[^>]*>)\s*\d+\s*(</vcpu>)", rf"\g<1>{vcpus}\g<2>", xml, count=1)
    assert count == 1, xml
    return new


def test_conflicting_saves_from_parallel_processes_lose_nothing(transactional_db):
    from django.db import connection
    from django.test import Client

    from builder.domainxml import parse
    from builder.library import rendering, services
    from builder.library.models import DomainTemplate, TemplateRevision
    from tests.conftest import test_user
    from tests.editor_support import BOOTORDER

    template = services.import_domain(BOOTORDER.read_bytes()).template
    assert list(template.revisions.values_list("number", flat=True)) == [1]
    sessions = []
    for _ in range(WORKERS):
        client = Client()
        client.force_login(test_user())
        sessions.append(client.cookies["sessionid"].value)
    database = connection.settings_dict["NAME"]
    connection.close()  # SQLite: nothing of this process holds the file while the workers write

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS, timeout=TIMEOUT)
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(i, database, template.pk, sessions[i], barrier, results), daemon=True)
        for i in range(WORKERS)
    ]
    for p in processes:
        p.start()
    answers = []
    try:
        for _ in range(WORKERS * len(ROUNDS)):
            answer = results.get(timeout=TIMEOUT)
            assert "crash" not in answer, f"worker {answer['worker']} failed:\n{answer['crash']}\n{answer['log']}"
            answers.append(answer)
    finally:
        for p in processes:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]

    # Nothing went wrong anywhere: no server error, nothing locked, nothing logged above a warning.
    for a in answers:
        assert a["status"] in (302, 409), (a["status"], a["body"][:3000], a["log"])
        assert "database is locked" not in a["body"] + "".join(a["log"]), a
        assert not [line for line in a["log"] if line.startswith(("ERROR", "CRITICAL"))], a["log"]

    revisions = list(TemplateRevision.objects.filter(template=template).order_by("number"))
    assert [r.number for r in revisions] == list(range(1, len(ROUNDS) + 2)), "one revision per round, no gaps"
    for number, round_kind in enumerate(ROUNDS):
        answered = [a for a in answers if a["round"] == number]
        assert len(answered) == WORKERS
        assert {a["base"] for a in answered} == {str(number + 1)}, "everyone saved on the same revision"
        winners = [a for a in answered if a["status"] == 302]
        assert len(winners) == 1, f"round {number} ({round_kind}): {len(winners)} saves went through"
        assert sum(a["status"] == 409 for a in answered) == WORKERS - 1
        winner = winners[0]
        # The revision the winner made holds exactly what the winner sent: no other save's values.
        rendered = revisions[number + 1].rendered
        vcpu = parse.parse_xml(rendered, 1 << 20, root_tag="domain").findtext("vcpu").strip()
        assert vcpu == str(winner["vcpus"]), (round_kind, vcpu, winner)
        if winner["sent"] is not None:  # the raw XML as posted
            assert rendered.strip() == winner["sent"].strip()
    # And the template is the last winner's save.
    template = DomainTemplate.objects.get(pk=template.pk)
    assert rendering.render_xml(template) == revisions[-1].rendered
    last = next(a for a in answers if a["round"] == len(ROUNDS) - 1 and a["status"] == 302)
    assert f">{last['vcpus']}</vcpu>" in revisions[-1].rendered


# -- one after the other: the profile page and the device XML page ---------------------------------


def _people():
    from tests.editor_support import logged_in_clients

    return logged_in_clients()


def _raw_profile_form(client, profile) -> dict[str, list[str]]:
    from tests.editor_support import html_of
    from tests.helpers import form_values

    doc = html_of(client.get(f"/profiles/{profile.pk}/"))
    return form_values(next(f for f in doc.iter("form") if "raw" in (f.get("class") or "")))


def _sides(response) -> tuple[str, str, str, str]:
    """(latest, yours, the text to copy, the whole page's text) of a conflict page."""
    from tests.editor_support import html_of

    doc = html_of(response)
    latest, yours = (pre.text_content() for pre in doc.xpath("//div[@class='conflict']//pre"))
    return latest, yours, doc.get_element_by_id("yours").text_content(), " ".join(doc.text_content().split())


def test_a_profile_saved_from_a_stale_page_is_refused_and_the_first_save_kept(disk_profile):
    from tests.editor_support import changed, html_of, profile_form

    url = f"/profiles/{disk_profile.pk}/"
    first, second = _people()
    form_a, form_b = profile_form(first, disk_profile), profile_form(second, disk_profile)
    assert form_a["base_revision"] == form_b["base_revision"] == ["1"]
    # The first only rewrites the description: that alone makes a revision the second is refused on.
    assert first.post(url, changed(form_a, {"description": "first's words"})).status_code == 302
    edits = {"profile-source_file": "/srv/second.qcow2", "name": "Second's disk", "description": "second's words"}
    response = second.post(url, changed(form_b, edits))
    assert response.status_code == 409
    latest, yours, to_copy, page = _sides(response)
    assert "/var/lib/libvirt/images/shared.qcow2" in latest and "/srv/second.qcow2" in yours
    assert to_copy == yours
    assert "applied to the latest revision" in page
    assert "first's words" in page and "second's words" in page and "Second's disk" in page
    assert html_of(response).xpath(f"//a[@href='{url}']")
    disk_profile.refresh_from_db()
    assert (disk_profile.name, disk_profile.description) == ("Shared disk", "first's words")
    assert "/srv/second.qcow2" not in disk_profile.xml
    assert disk_profile.revisions.count() == 2
    # Loaded again on the latest revision, the second person's save goes through.
    again = changed(profile_form(second, disk_profile), {"profile-source_file": "/srv/second.qcow2"})
    assert second.post(url, again).status_code == 302
    assert disk_profile.revisions.count() == 3


def test_a_profiles_raw_xml_saved_from_a_stale_page_is_refused_and_the_first_save_kept(disk_profile):
    url = f"/profiles/{disk_profile.pk}/"
    first, second = _people()
    form_a, form_b = _raw_profile_form(first, disk_profile), _raw_profile_form(second, disk_profile)
    assert form_a["base_revision"] == form_b["base_revision"] == ["1"]
    form_a["xml"] = [form_a["xml"][0].replace("vdb", "vdx")]
    form_b["xml"] = [form_b["xml"][0].replace("vdb", "vdy")]
    assert first.post(url, form_a).status_code == 302
    response = second.post(url, form_b)
    assert response.status_code == 409
    latest, yours, to_copy, _page = _sides(response)
    assert "vdx" in latest and yours == to_copy == form_b["xml"][0]
    disk_profile.refresh_from_db()
    assert "vdx" in disk_profile.xml and disk_profile.revisions.count() == 2


def test_a_device_xml_saved_from_a_stale_page_is_refused_and_the_first_save_kept():
    from builder.library import services
    from tests.editor_support import BOOTORDER, TABLET, html_of
    from tests.helpers import form_values

    template = services.import_domain(BOOTORDER.read_bytes()).template
    slot = template.slots.order_by("position").first()
    url = f"/templates/{template.pk}/devices/{slot.pk}/xml/"
    first, second = _people()
    form_a, form_b = (form_values(html_of(c.get(url)).find_class("raw")[0]) for c in (first, second))
    assert form_a["base_revision"] == form_b["base_revision"] == ["1"]
    form_a["xml"], form_b["xml"] = [TABLET], ["<input type='mouse' bus='ps2'/>"]
    assert first.post(url, form_a).status_code == 302
    response = second.post(url, form_b)
    assert response.status_code == 409
    latest, yours, to_copy, _page = _sides(response)
    assert "tablet" in latest and yours == to_copy == form_b["xml"][0]
    assert html_of(response).xpath(f"//a[@href='{url}']")
    slot.refresh_from_db()
    assert "tablet" in slot.xml
    assert list(template.revisions.values_list("number", flat=True).order_by("number")) == [1, 2]
    # Loaded again, it goes through.
    again = form_values(html_of(second.get(url)).find_class("raw")[0])
    assert second.post(url, {**again, "xml": form_b["xml"]}).status_code == 302
    slot.refresh_from_db()
    assert "mouse" in slot.xml


def test_a_profile_or_device_post_without_a_base_counts_as_based_on_the_latest(disk_profile):
    from builder.library import editing
    from tests.editor_support import DISK, TABLET

    first, second = _people()
    url = f"/profiles/{disk_profile.pk}/"
    assert first.post(url, {"name": "A", "description": "", "xml": DISK}).status_code == 302
    assert second.post(url, {"name": "B", "description": "", "xml": DISK}).status_code == 302
    disk_profile.refresh_from_db()
    assert disk_profile.name == "B"
    template = editing.new_template("plain")
    slot = editing.add_device(template, kind="disk")
    url = f"/templates/{template.pk}/devices/{slot.pk}/xml/"
    assert first.post(url, {"xml": TABLET}).status_code == 302
    assert second.post(url, {"xml": DISK}).status_code == 302
    slot.refresh_from_db()
    assert "disk" in slot.xml
