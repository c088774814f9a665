"""Who may push a template to a host, manage what was pushed, and refresh the host: teams and their roles."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from builder.hosts import push as pushing
from builder.hosts.models import Deployment, HostCapabilities
from builder.library import services
from builder.library.models import Membership, Team
from tests.host_support import GUEST, as_, host_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_world(test_host):
    make = get_user_model().objects.create_user
    people = {n: make(n) for n in ["owner", "editor", "viewer", "outsider", "otherteam"]}
    ops, dev = Team.objects.create(name="ops"), Team.objects.create(name="dev")
    for name, role in [("owner", "editor"), ("editor", "editor"), ("viewer", "viewer")]:
        Membership.objects.create(team=ops, user=people[name], role=role)
    Membership.objects.create(team=dev, user=people["otherteam"], role="editor")
    test_host.teams.add(ops)
    template = services.import_domain(GUEST.encode(), owner=people["owner"]).template
    template.team, template.visibility = ops, "everyone"
    template.save()
    return people, template


@pytest.mark.parametrize(
    ("who", "may"),
    [("owner", True), ("editor", True), ("viewer", False), ("outsider", False), ("otherteam", False)],
)
def test_pushing_needs_editor_rights_in_the_templates_team_and_the_hosts_permission(team_world, test_host, who, may):
    people, template = team_world
    c = as_(people[who])
    page = c.get(f"/templates/{template.pk}/push/")
    assert page.status_code == 200  # everyone may see the template (visibility everyone)
    assert (f'value="{test_host.pk}"' in page.content.decode()) is may
    c.post(f"/templates/{template.pk}/push/", {"host": test_host.pk, "define": "1", "name": f"dbtest-{who}"})
    assert Deployment.objects.filter(user=people[who]).exists() is may


def test_only_those_who_may_push_manage_the_domain(team_world, test_host):
    people, template = team_world
    d = pushing.push(template, test_host, people["editor"], start=True, values={"name": "dbtest-managed"})
    assert d.ok
    assert as_(people["viewer"]).post(f"/deployments/{d.pk}/destroy/").status_code == 403
    # Another team's member may see the template but not the host: the push is not theirs to know of.
    assert as_(people["otherteam"]).post(f"/deployments/{d.pk}/drift/").status_code == 404
    assert host_state(test_host, d.domain_uuid) == "running"
    test_host.teams.clear()  # the host no longer open to ops
    assert as_(people["editor"]).post(f"/deployments/{d.pk}/destroy/").status_code == 404
    assert as_(people["editor"]).get(f"/hosts/{test_host.pk}/").status_code == 404


def test_a_push_is_shown_only_to_those_who_may_see_its_host(team_world, test_host):
    people, template = team_world  # a template everyone may see, on a host open to ops alone
    d = pushing.push(template, test_host, people["editor"], values={"name": "dbtest-hostonly"})
    page = as_(people["editor"]).get(f"/deployments/{d.pk}/")
    assert page.status_code == 200 and test_host.name.encode() in page.content
    other = as_(people["otherteam"]).get(f"/deployments/{d.pk}/")
    assert other.status_code == 404 and b"dbtest-hostonly" not in other.content and b"<domain" not in other.content


def test_refreshing_a_host_takes_editor_rights_in_a_team_it_is_open_to(team_world, test_host):
    people, _ = team_world
    assert as_(people["viewer"]).get(f"/hosts/{test_host.pk}/").status_code == 200
    assert as_(people["viewer"]).post(f"/hosts/{test_host.pk}/refresh/").status_code == 403
    assert not HostCapabilities.objects.filter(host=test_host).exists()
    assert "Ask the host" not in as_(people["viewer"]).get(f"/hosts/{test_host.pk}/").content.decode()
    assert as_(people["editor"]).post(f"/hosts/{test_host.pk}/refresh/").status_code == 302
    assert HostCapabilities.objects.get(host=test_host).capabilities


def test_a_private_templates_pushes_stay_private(team_world, test_host):
    people, _ = team_world
    mine = services.import_domain(GUEST.encode(), owner=people["editor"]).template  # private
    d = pushing.push(mine, test_host, people["editor"], values={"name": "dbtest-secret"})
    assert as_(people["owner"]).get(f"/deployments/{d.pk}/").status_code == 404
    assert "dbtest-secret" not in as_(people["owner"]).get(f"/hosts/{test_host.pk}/").content.decode()
