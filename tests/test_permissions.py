"""The permission matrix: who may do what with a template, in the pages and in the API.

Six people meet a template owned by `owner` in team "ops", shared privately, with the team or
with everyone. Each cell performs the action for real and checks both the answer and what the
database holds afterwards: a refused change changes nothing, an allowed one really happens.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client

from builder.library import access, editing, publishing, rendering, services
from builder.library.models import DeviceProfile, DomainTemplate, Membership, Team
from tests.helpers import ROOT
from tests.permission_support import ACTORS, client_for

pytestmark = pytest.mark.django_db

SOURCE = (ROOT / "builder" / "library" / "starter" / "templates" / "xen-hvm-example.xml").read_bytes()
VISIBILITIES = ["private", "team", "everyone"]
ACTIONS = ["view", "edit", "delete", "publish", "fork", "render", "download", "api"]

# What each person may do; "-" for everything else. The owner may do everything everywhere; a
# private object is its owner's alone; everyone-objects may be seen and used by all with an account.
USE = {"view", "fork", "render", "download", "api"}
ALLOWED = {
    "owner": {v: set(ACTIONS) for v in VISIBILITIES},
    "team_admin": {"private": set(), "team": set(ACTIONS), "everyone": set(ACTIONS)},
    "team_editor": {"private": set(), "team": USE | {"edit", "publish"}, "everyone": USE | {"edit", "publish"}},
    "team_viewer": {"private": set(), "team": USE, "everyone": USE},
    "other_team": {"private": set(), "team": set(), "everyone": USE},
    "anonymous": {v: set() for v in VISIBILITIES},
}


def make_template(world, visibility: str) -> DomainTemplate:
    template = services.import_domain(SOURCE, owner=world["users"]["owner"]).template
    template.team, template.visibility = world["team"], visibility
    template.save()
    return template


def xml_of(template: DomainTemplate) -> str:
    return rendering.render_xml(DomainTemplate.objects.get(pk=template.pk))


def attempt(world, actor: str, action: str, template: DomainTemplate) -> tuple[int, bool]:
    """(status, whether the action took effect) for `actor` doing `action` through the pages or API."""
    client, pk = client_for(world, actor), template.pk
    if action == "view":
        r = client.get(f"/templates/{pk}/")
        return r.status_code, r.status_code == 200 and template.name.encode() in r.content
    if action == "render":
        r = client.get(f"/templates/{pk}/render/")
        return r.status_code, r.status_code == 200 and b"&lt;domain" in r.content
    if action == "download":
        r = client.get(f"/templates/{pk}/download/", {"anyway": "1"})
        attachment = r.get("Content-Disposition", "").startswith("attachment")
        return r.status_code, r.status_code == 200 and attachment and b"<domain" in r.content
    if action == "edit":
        before = xml_of(template)
        changed = before.replace("<vcpu>1</vcpu>", "<vcpu>3</vcpu>")
        assert changed != before
        r = client.post(f"/templates/{pk}/xml/", {"xml": changed})
        return r.status_code, "<vcpu>3</vcpu>" in xml_of(template)
    if action == "delete":
        r = client.post(f"/templates/{pk}/delete/")
        return r.status_code, not DomainTemplate.objects.filter(pk=pk).exists()
    if action == "publish":
        r = client.post(f"/templates/{pk}/publish/")
        return r.status_code, DomainTemplate.objects.get(pk=pk).published_id is not None
    if action == "fork":
        before = DomainTemplate.objects.count()
        r = client.post(f"/templates/{pk}/fork/", {"name": f"fork-by-{actor}"})
        forked = DomainTemplate.objects.filter(name=f"fork-by-{actor}").first()
        made = DomainTemplate.objects.count() == before + 1 and forked is not None
        return r.status_code, made and forked.owner == world["users"][actor] and forked.visibility == "private"
    if action == "api":
        headers = {}
        if actor != "anonymous":
            headers["HTTP_AUTHORIZATION"] = f"Token {world['tokens'][actor]}"
        api = Client()  # by token alone: no session
        one = api.get(f"/api/v1/templates/{pk}/", **headers)
        xml = api.get(f"/api/v1/templates/{pk}/domain.xml", **headers)
        listed = api.get("/api/v1/templates/", **headers)
        ids = [t["id"] for t in listed.json()] if listed.status_code == 200 else []
        assert xml.status_code == one.status_code or one.status_code != 200, (one.status_code, xml.status_code)
        return one.status_code, one.status_code == 200 and xml.status_code == 200 and pk in ids
    raise AssertionError(action)


def refusal(actor: str, visibility: str, action: str) -> int:
    """The answer when not allowed: the login page, 401 in the API, "not found" for what one may
    not see, "forbidden" for what one may see but not do."""
    if actor == "anonymous":
        return 401 if action == "api" else 302
    sees = "view" in ALLOWED[actor][visibility]
    return 403 if sees else 404


CELLS = [(a, v, x) for a in ACTORS for v in VISIBILITIES for x in ACTIONS]


@pytest.mark.parametrize(("actor", "visibility", "action"), CELLS, ids=["-".join(c) for c in CELLS])
def test_permission_matrix(world, actor, visibility, action):
    template = make_template(world, visibility)
    status, happened = attempt(world, actor, action, template)
    if action in ALLOWED[actor][visibility]:
        assert happened, f"{actor} may {action} a {visibility} template (status {status})"
        assert status in (200, 302)
    else:
        assert not happened, f"{actor} may not {action} a {visibility} template, yet it happened"
        assert status == refusal(actor, visibility, action)


def test_the_matrix_covers_every_cell():
    assert len(CELLS) == 6 * 3 * 8 == 144


# -- profiles: the same rules ------------------------------------------------------------------

DISK = (
    "<disk type='file' device='disk'><source file='/var/lib/libvirt/images/a.qcow2'/>"
    "<target dev='vda' bus='virtio'/></disk>"
)
PROFILE_ACTIONS = {
    "view": lambda c, p: c.get(f"/profiles/{p.pk}/"),
    "edit": lambda c, p: c.post(f"/profiles/{p.pk}/", {"name": "renamed", "description": "", "xml": p.xml}),
    "delete": lambda c, p: c.post(f"/profiles/{p.pk}/delete/"),
}
PROFILE_CELLS = [(a, v, x) for a in ACTORS for v in VISIBILITIES for x in PROFILE_ACTIONS]


@pytest.mark.parametrize(("actor", "visibility", "action"), PROFILE_CELLS, ids=["-".join(c) for c in PROFILE_CELLS])
def test_profile_permission_matrix(world, actor, visibility, action):
    profile = DeviceProfile.objects.create(
        name="disk", xml=DISK, owner=world["users"]["owner"], team=world["team"], visibility=visibility
    )
    r = PROFILE_ACTIONS[action](client_for(world, actor), profile)
    after = DeviceProfile.objects.filter(pk=profile.pk).first()
    happened = {
        "view": r.status_code == 200,
        "edit": after is not None and after.name == "renamed",
        "delete": after is None,
    }[action]
    if action in ALLOWED[actor][visibility]:
        assert happened and r.status_code in (200, 302)
    else:
        assert not happened
        assert r.status_code == refusal(actor, visibility, action)


def test_lists_and_single_objects_agree_on_who_sees_what(world):
    """Lists filter with `visible`, one object is judged by `can`: the same answer in every cell,
    for templates and profiles, one's own, a team's, another team's, everyone's and the installation's (no owner)."""
    world["users"]["root"] = get_user_model().objects.create_superuser("root", password=None)
    owner, team = world["users"]["owner"], world["team"]
    objects = []
    for model, extra in [(DomainTemplate, {"xml": "<domain type='kvm'/>"}), (DeviceProfile, {"xml": DISK})]:
        for visibility in VISIBILITIES:
            for who in (owner, None):
                obj = model.objects.create(
                    name=f"{visibility}-{who}", owner=who, team=team, visibility=visibility, **extra
                )
                objects.append(obj)
        dev = Team.objects.get(name="dev")  # another team's, shared with it
        objects.append(
            model.objects.create(name="dev", owner=world["users"]["other_team"], team=dev, visibility="team", **extra)
        )
    for user in [*world["users"].values(), AnonymousUser()]:
        for obj in objects:
            listed = access.visible(type(obj).objects.all(), user).filter(pk=obj.pk).exists()
            try:
                access.get_or_404(type(obj), user, pk=obj.pk)
                found = True
            except Http404:
                found = False
            assert listed == found, (user, obj.name, obj.visibility, listed, found)


# -- nothing private shows through ---------------------------------------------------------------


def test_nobody_sees_anothers_private_template_in_lists_search_counts_diffs_or_the_api(world):
    secret = make_template(world, "private")
    secret.name = "hidden-guest"
    secret.save()
    editing.replace_xml(secret, rendering.render_xml(secret).replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>"))
    DeviceProfile.objects.create(name="hidden-disk", xml=DISK, owner=world["users"]["owner"], team=world["team"])
    for actor in ["team_admin", "team_editor", "team_viewer", "other_team"]:
        client = client_for(world, actor)
        for query in [{}, {"q": "hidden"}, {"scope": "teams"}, {"owner": "owner"}, {"kind": "disk"}]:
            page = client.get("/", query).content.decode()
            assert "hidden-guest" not in page and "hidden-disk" not in page, (actor, query)
            assert 'class="count">0<' in page, (actor, query)  # the counts leave it out too
        assert ">owner<" not in client.get("/").content.decode()  # not even as an owner to filter by
        assert client.get(f"/templates/{secret.pk}/history/", {"a": "1", "b": "2"}).status_code == 404
        assert client.get(f"/templates/{secret.pk}/bundle/").status_code == 404
        assert client.get(f"/templates/{secret.pk}/preview/").status_code in (404, 405)
        assert client.post(f"/templates/{secret.pk}/preview/").status_code == 404
        token = {"HTTP_AUTHORIZATION": f"Token {world['tokens'][actor]}"}
        assert Client().get("/api/v1/templates/", **token).json() == []
        assert Client().get(f"/api/v1/templates/{secret.pk}/domain.xml", **token).status_code == 404


def test_a_superuser_does_not_see_anothers_private_template_either(world):
    secret = make_template(world, "private")
    admin = get_user_model().objects.create_superuser("root", password=None)
    client = Client()
    client.force_login(admin)
    assert client.get(f"/templates/{secret.pk}/").status_code == 404
    assert secret.name not in client.get("/").content.decode()


def test_a_profile_in_use_shows_only_the_templates_one_may_see(world):
    profile = DeviceProfile.objects.create(name="shared-disk", xml=DISK, owner=world["users"]["team_viewer"])
    profile.visibility = "everyone"
    profile.save()
    secret = make_template(world, "private")
    editing.add_device(secret, profile=profile)
    page = client_for(world, "team_viewer").get(f"/profiles/{profile.pk}/").content.decode()
    assert secret.name not in page
    assert "No template you can see uses this profile." in page


# -- every other way to change a template asks for the right to edit it ------------------------


def test_every_change_a_viewer_might_post_is_refused_and_changes_nothing(world):
    template = make_template(world, "team")
    editing.add_device(template, kind="input")
    slot = template.slots.order_by("position").last()
    before = xml_of(template)
    revisions_before = template.revisions.count()
    client = client_for(world, "team_viewer")
    pk, sid = template.pk, slot.pk
    posts = {
        f"/templates/{pk}/": {"general-name": "x"},
        f"/templates/{pk}/xml/": {"xml": before},
        f"/templates/{pk}/parameters/": {"param_name": "p", "param_default": "1"},
        f"/templates/{pk}/history/1/restore/": {},
        f"/templates/{pk}/publish/": {},
        f"/templates/{pk}/share/": {"visibility": "everyone", "team": world["team"].pk},
        f"/templates/{pk}/delete/": {},
        f"/templates/{pk}/devices/add/": {"device": "kind:disk"},
        f"/templates/{pk}/devices/{sid}/move/": {"direction": "up"},
        f"/templates/{pk}/devices/{sid}/remove/": {},
        f"/templates/{pk}/devices/{sid}/detach/": {},
        f"/templates/{pk}/devices/{sid}/save-as-profile/": {"name": "stolen"},
        f"/templates/{pk}/devices/{sid}/xml/": {"xml": "<input type='mouse' bus='ps2'/>"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    template.refresh_from_db()
    assert xml_of(template) == before
    assert (template.visibility, template.published_id) == ("team", None)
    assert template.revisions.count() == revisions_before
    assert not DeviceProfile.objects.filter(name="stolen").exists()


def test_a_viewer_sees_the_editor_read_only(world):
    template = make_template(world, "team")
    page = client_for(world, "team_viewer").get(f"/templates/{template.pk}/").content.decode()
    assert "You can view, render, download and fork this template." in page
    assert 'name="message"' not in page  # no Save bar
    assert "Publish latest revision" not in page and "Delete…" not in page and "Sharing" not in page
    editor = client_for(world, "team_editor").get(f"/templates/{template.pk}/").content.decode()
    assert 'name="message"' in editor and "Publish latest revision" in editor
    assert "Delete…" not in editor and "Sharing" not in editor
    admin = client_for(world, "team_admin").get(f"/templates/{template.pk}/").content.decode()
    assert "Delete…" in admin and "Sharing" in admin
    raw = client_for(world, "team_viewer").get(f"/templates/{template.pk}/xml/").content.decode()
    assert "readonly" in raw and "Read only" in raw and ">Save<" not in raw


# -- sharing, teams, fork into a team --------------------------------------------------------------


def test_sharing_needs_a_team_for_team_visibility_and_an_editor_role_in_the_new_team(world):
    template = services.import_domain(SOURCE, owner=world["users"]["other_team"]).template
    client = client_for(world, "other_team")
    client.post(f"/templates/{template.pk}/share/", {"visibility": "team", "team": ""})
    template.refresh_from_db()
    assert template.visibility == "private"
    client.post(f"/templates/{template.pk}/share/", {"visibility": "team", "team": world["team"].pk})
    template.refresh_from_db()
    assert (template.team_id, template.visibility) == (None, "private")  # not a member of ops
    dev = Team.objects.get(name="dev")
    client.post(f"/templates/{template.pk}/share/", {"visibility": "team", "team": dev.pk})
    template.refresh_from_db()
    assert (template.team, template.visibility) == (dev, "team")


def test_a_fork_goes_into_a_team_only_where_one_edits(world):
    template = make_template(world, "everyone")
    viewer = client_for(world, "team_viewer")
    r = viewer.post(f"/templates/{template.pk}/fork/", {"name": "v-fork", "team": world["team"].pk})
    assert r.status_code == 422 and not DomainTemplate.objects.filter(name="v-fork").exists()
    editor = client_for(world, "team_editor")
    editor.post(f"/templates/{template.pk}/fork/", {"name": "e-fork", "team": world["team"].pk})
    fork = DomainTemplate.objects.get(name="e-fork")
    assert (fork.owner, fork.team, fork.visibility) == (world["users"]["team_editor"], world["team"], "team")
    assert client_for(world, "team_viewer").get(f"/templates/{fork.pk}/").status_code == 200


def test_team_admins_manage_members_and_a_team_keeps_an_admin(world):
    ops = world["team"]
    admin = client_for(world, "team_admin")
    admin.post(f"/teams/{ops.pk}/members/", {"username": "other_team", "role": "viewer"})
    assert Membership.objects.get(team=ops, user__username="other_team").role == "viewer"
    admin.post(f"/teams/{ops.pk}/members/", {"username": "team_admin", "role": "viewer"})
    assert Membership.objects.get(team=ops, user__username="team_admin").role == "admin"  # the last admin
    viewer = client_for(world, "team_viewer")
    viewer.post(f"/teams/{ops.pk}/members/", {"username": "team_viewer", "role": "admin"})
    assert Membership.objects.get(team=ops, user__username="team_viewer").role == "viewer"
    assert client_for(world, "other_team").get(f"/teams/{Team.objects.get(name='dev').pk}/").status_code == 200
    outsider = get_user_model().objects.create_user("outsider")
    c = Client()
    c.force_login(outsider)
    assert c.get(f"/teams/{ops.pk}/").status_code == 404


def test_making_a_team_makes_its_maker_admin(world):
    c = client_for(world, "team_viewer")
    c.post("/teams/", {"name": "newteam"})
    assert Membership.objects.get(team__name="newteam").role == "admin"
    assert c.post("/teams/", {"name": "newteam"}).status_code == 200  # taken: said, not a 500
    assert Team.objects.filter(name="newteam").count() == 1


# -- publishing -------------------------------------------------------------------------------------


def test_render_download_use_the_published_revision_until_the_next_publish(world):
    template = make_template(world, "team")
    publishing.publish(template, world["users"]["team_editor"])
    editing.replace_xml(template, xml_of(template).replace("<vcpu>1</vcpu>", "<vcpu>4</vcpu>"))
    viewer = client_for(world, "team_viewer")
    published = viewer.get(f"/templates/{template.pk}/download/", {"anyway": "1"}).content.decode()
    draft = viewer.get(f"/templates/{template.pk}/download/", {"anyway": "1", "revision": "draft"}).content.decode()
    assert "<vcpu>1</vcpu>" in published and "<vcpu>4</vcpu>" in draft
    page = viewer.get(f"/templates/{template.pk}/render/").content.decode()
    assert "published revision 1" in page
    client_for(world, "team_editor").post(f"/templates/{template.pk}/publish/")
    again = viewer.get(f"/templates/{template.pk}/download/", {"anyway": "1"}).content.decode()
    assert "<vcpu>4</vcpu>" in again
    assert viewer.get(f"/templates/{template.pk}/download/", {"revision": "99"}).status_code == 404


def test_a_save_of_a_template_loaded_earlier_keeps_a_publish_and_a_share_made_since(world):
    template = make_template(world, "private")
    stale = DomainTemplate.objects.get(pk=template.pk)  # an editor's copy, loaded before the others act
    publishing.publish(template, world["users"]["owner"])
    fresh = DomainTemplate.objects.get(pk=template.pk)
    access.share(world["users"]["owner"], fresh, world["team"], "everyone")
    editing.replace_xml(stale, xml_of(stale).replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>"))
    after = DomainTemplate.objects.get(pk=template.pk)
    assert after.published is not None and after.visibility == "everyone"
    assert "<vcpu>2</vcpu>" in xml_of(after)
