"""Three colleagues share a template through the pages: a team, a viewer who can only look and
render, an editor who changes and publishes, and the published version served to the viewer."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_team_shares_views_edits_and_publishes_a_template(page_for, screenshot):
    make = get_user_model().objects.create_user
    ada, ben, cy = make("ada"), make("ben"), make("cy")

    # Ada makes the team and adds her colleagues.
    owner = page_for(ada)
    owner.goto(owner.base + "/teams/")
    owner.get_by_label("Name").fill("ops")
    owner.get_by_role("button", name="Make team").click()
    expect(owner.locator(".msg.success")).to_contain_text("you are its admin")
    for name, role in [("ben", "Viewer"), ("cy", "Editor")]:
        owner.get_by_label("Username").fill(name)
        owner.get_by_label("Role", exact=True).select_option(label=role)
        owner.get_by_role("button", name="Add").click()
        expect(owner.locator(".msg.success")).to_contain_text(f"{name} is now {role.lower()}")

    # She makes a template, private at first, then shares it with the team.
    owner.goto(owner.base + "/")
    owner.get_by_label("Name of the new template").fill("web")
    owner.get_by_role("button", name="New template").click()
    expect(owner.locator(".ownership")).to_contain_text("only its owner")
    owner.locator(".sharing summary").click()
    owner.get_by_label("Team", exact=True).select_option(label="ops")
    owner.get_by_label("Visible to").select_option("team")
    owner.get_by_role("button", name="Save sharing").click()
    expect(owner.locator(".ownership")).to_contain_text("team ops")
    web_url = owner.url

    # Ben, a viewer, finds it under "My teams" and sees it read-only, but can render it.
    viewer = page_for(ben)
    viewer.goto(viewer.base + "/")
    viewer.get_by_label("Show").select_option(label="My teams")
    expect(viewer.locator("#results")).to_contain_text("web")
    viewer.get_by_role("link", name="web", exact=True).click()
    expect(viewer.get_by_role("note")).to_contain_text("You can view, render, download and fork")
    expect(viewer.locator("#section-resources").get_by_label("Virtual CPUs", exact=True)).to_be_disabled()
    expect(viewer.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    screenshot(viewer, "sharing-read-only")

    # Cy, an editor, changes it and publishes.
    editor = page_for(cy)
    editor.goto(web_url)
    vcpus = editor.locator("#section-resources").get_by_label("Virtual CPUs", exact=True)
    vcpus.fill("3")
    expect(editor.locator("#xml-preview")).to_contain_text(">3</vcpu>")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".msg.success")).to_contain_text("Saved")
    editor.get_by_role("button", name="Publish latest revision").click()
    expect(editor.locator(".msg.success")).to_contain_text("Published revision")
    expect(editor.locator(".ownership")).to_contain_text("published: revision")

    # Ada edits again: a draft; Ben's render still shows the published three vCPUs.
    owner.goto(web_url)
    owner.locator("#section-resources").get_by_label("Virtual CPUs", exact=True).fill("5")
    expect(owner.locator("#xml-preview")).to_contain_text(">5</vcpu>")
    owner.get_by_role("button", name="Save", exact=True).click()
    expect(owner.locator(".ownership")).to_contain_text("draft has unpublished changes")
    viewer.goto(web_url + "render/")
    expect(viewer.locator("pre.xml")).to_contain_text(">3</vcpu>")
    viewer.get_by_label("Version").select_option("draft")
    viewer.get_by_role("button", name="Render", exact=True).click()
    expect(viewer.locator("pre.xml")).to_contain_text(">5</vcpu>")

    # Someone outside the team is told nothing exists there.
    outsider = page_for(make("dan"))
    response = outsider.goto(web_url)
    assert response.status == 404
    expect(outsider.get_by_role("heading")).to_have_text("Not found")
    outsider.goto(outsider.base + "/?q=web")
    expect(outsider.get_by_role("link", name="web", exact=True)).to_have_count(0)
    expect(outsider.locator("#h-templates .count")).to_have_text("0")
