"""A linked profile reaches only people it is shared with (builder.library.links).

Each case is one way a template could come to show a profile to someone the profile is not
shared with; each ends with the link turned into the template's own copy, the guest unchanged.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from builder.library import access, editing, rendering, restoring, revisions
from builder.library.models import DeviceProfile, DomainTemplate, Membership, Team

pytestmark = pytest.mark.django_db

SERIAL = "<serial type='pty'><target port='0'/></serial>"
NAME = "SECRETPROFILE"


@pytest.fixture
def people():
    make = get_user_model().objects.create_user
    ada, bob, carol = make("ada"), make("bob"), make("carol")
    ops = Team.objects.create(name="ops")
    Membership.objects.create(team=ops, user=ada, role="editor")
    Membership.objects.create(team=ops, user=bob, role="admin")
    return {"ada": ada, "bob": bob, "carol": carol, "ops": ops}


def as_(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def template_of(owner, visibility="private", team=None) -> DomainTemplate:
    t = editing.new_template("guest", owner=owner)
    t.team, t.visibility = team, visibility
    t.save()
    return t


def bobs_profile(people, visibility="team") -> DeviceProfile:
    team = people["ops"] if visibility == "team" else None
    return DeviceProfile.objects.create(name=NAME, xml=SERIAL, owner=people["bob"], team=team, visibility=visibility)


def linked(template) -> list:
    return list(template.slots.exclude(profile=None).values_list("profile__name", flat=True))


def test_a_profile_narrowed_after_linking_leaves_a_copy_behind(people):
    profile = bobs_profile(people, "everyone")
    template = template_of(people["carol"], "everyone")
    editing.add_device(template, profile=profile)
    before = rendering.render_xml(template)
    assert linked(template) == [NAME]
    access.share(people["bob"], profile, people["ops"], "team")
    assert linked(template) == [] and rendering.render_xml(template) == before
    page = as_(people["carol"]).get(f"/templates/{template.pk}/").content.decode()
    assert NAME not in page
    assert revisions.latest(template).message.startswith("A linked profile is not shared")
    # Bob's later edits reach only his team.
    profile.xml = SERIAL.replace("pty", "null")
    profile.save()
    assert "pty" in rendering.render_xml(template)


def test_adding_a_profile_shared_more_narrowly_than_the_template_adds_a_copy(people):
    profile = bobs_profile(people, "team")
    template = template_of(people["ada"], "everyone")
    r = as_(people["ada"]).post(
        f"/templates/{template.pk}/devices/add/", {"device": f"profile:{profile.pk}"}, follow=True
    )
    assert "Added a copy of" in r.content.decode()
    assert linked(template) == [] and "pty" in rendering.render_xml(template)
    assert NAME not in as_(people["carol"]).get(f"/templates/{template.pk}/").content.decode()


def test_sharing_a_template_more_widely_turns_narrower_links_into_copies(people):
    profile = bobs_profile(people, "team")
    template = template_of(people["ada"], "team", people["ops"])
    editing.add_device(template, profile=profile)
    assert linked(template) == [NAME]
    r = as_(people["ada"]).post(
        f"/templates/{template.pk}/share/", {"team": people["ops"].pk, "visibility": "everyone"}
    )
    assert r.status_code == 302
    assert linked(template) == []


def test_restoring_a_revision_does_not_relink_a_profile_no_longer_shared_with_the_template(people):
    profile = bobs_profile(people, "team")
    template = template_of(people["ada"], "team", people["ops"])
    slot = editing.add_device(template, profile=profile)
    with_link = revisions.latest(template)
    editing.remove_slot(slot)
    access.share(people["bob"], profile, None, "private")
    profile.xml = SERIAL.replace("pty", "tcp")
    profile.save()
    restoring.restore(template, with_link)
    assert linked(template) == []
    xml = rendering.render_xml(template)
    assert "pty" in xml and "tcp" not in xml  # as it was then, not Bob's private edit


def test_leaving_a_team_turns_links_in_ones_private_templates_into_copies(people):
    profile = bobs_profile(people, "team")
    template = template_of(people["ada"])
    editing.add_device(template, profile=profile)
    as_(people["bob"]).post(f"/teams/{people['ops'].pk}/members/", {"username": "ada", "remove": "1"})
    assert linked(template) == [] and "pty" in rendering.render_xml(template)


def test_deleting_a_profile_leaves_copies_and_tells_nothing_of_others_templates(people):
    profile = bobs_profile(people, "everyone")
    carols = template_of(people["carol"])  # private: Bob may not know it exists
    editing.add_device(carols, profile=profile)
    bob = as_(people["bob"])
    confirm = bob.get(f"/profiles/{profile.pk}/delete/").content.decode()
    assert "still use" not in confirm
    assert bob.post(f"/profiles/{profile.pk}/delete/").status_code == 302
    assert not DeviceProfile.objects.filter(pk=profile.pk).exists()
    assert linked(carols) == [] and "pty" in rendering.render_xml(carols)


def test_the_admin_lists_no_ones_private_objects_not_even_for_a_superuser(people):
    bobs_profile(people, "private")
    secret = template_of(people["bob"])
    secret.name = "bobs-secret"
    secret.save()
    root = get_user_model().objects.create_superuser("root", password=None)
    c = as_(root)
    assert NAME not in c.get("/admin/library/deviceprofile/").content.decode()
    assert "bobs-secret" not in c.get("/admin/library/domaintemplate/").content.decode()
    assert c.get(f"/admin/library/domaintemplate/{secret.pk}/change/").status_code in (302, 404)
