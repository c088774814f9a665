"""Under the Content-Security-Policy (no inline script, no eval) every page works and the browser refuses
nothing: htmx, the editor's script, the admin and the API's docs page run from static files."""

import pytest
from playwright.sync_api import expect

from builder.library import services
from tests.helpers import STARTER

pytestmark = pytest.mark.django_db(transaction=True)


def watch(page) -> list[str]:
    """Every CSP refusal and script error the page reports."""
    problems = []

    def console(message):
        if "Failed to load resource" in message.text:
            return  # a failed request: counted below, where its URL is known
        if message.type == "error" or "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(message.text)

    def response(r):
        # The admin and the docs page link no icon: the browser asks for /favicon.ico and gets 404.
        if r.status >= 400 and not r.url.endswith("/favicon.ico"):
            problems.append(f"{r.status} {r.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def test_the_pages_run_under_the_policy_with_nothing_refused(page):
    from tests.conftest import test_user

    user = test_user()
    user.is_staff = user.is_superuser = True
    user.save()
    template = services.import_domain(STARTER.read_bytes(), owner=user).template
    problems = watch(page)

    response = page.goto(page.base + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # htmx: the search updates the results without a page load.
    page.get_by_label("Search").fill("zzz-nothing-matches")
    expect(page.locator("#results")).not_to_contain_text(template.name)
    page.get_by_label("Search").fill("")
    expect(page.locator("#results")).to_contain_text(template.name)

    # The editor: htmx posts each change for the preview.
    page.goto(f"{page.base}/templates/{template.pk}/")
    vcpus = page.locator("#section-resources").get_by_label("Virtual CPUs", exact=True)
    vcpus.fill("6")
    expect(page.locator("#xml-preview")).to_contain_text(">6</vcpu>")

    for path in ("/import/", "/teams/", "/hosts/", "/account/", "/admin/", "/api/v1/docs"):
        page.goto(page.base + path)
        page.wait_for_load_state("networkidle")
    expect(page.locator("#swagger-ui")).to_contain_text("Domain Builder", timeout=10_000)

    assert problems == []
