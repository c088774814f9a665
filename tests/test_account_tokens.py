"""API tokens on the account page: made and shown once, listed, revoked, expiring, read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from builder.api.models import ApiToken
from builder.library.models import DomainTemplate
from tests.api_tokens_support import page, token_rows, works
from tests.conftest import TEST_USERNAME
from tests.helpers import STARTER

pytestmark = pytest.mark.django_db

User = get_user_model()


# -- the account page ---------------------------------------------------------------------------


def test_the_top_bar_links_to_the_account_page_which_links_to_the_password_change(client):
    doc = page(client.get("/"))
    assert doc.xpath("//header//a[@href='/account/']/text()") == ["Account"]
    doc = page(client.get("/account/"))
    assert doc.xpath("//main//a[@href='/accounts/password/']")
    assert doc.xpath("//main//a[@href='/api/v1/docs']")


def test_the_account_page_creates_a_token_and_shows_it_once(client):
    response = client.post("/account/", {"name": "laptop"})

    doc = page(response)
    shown = doc.xpath("//*[@id='new-token']//code/text()")
    assert len(shown) == 1
    plaintext = shown[0]
    assert "Copy it now" in doc.text_content()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert (token.user.username, token.name, token.prefix) == (TEST_USERNAME, "laptop", plaintext[:8])
    assert works(client, plaintext)
    # Listed by name and prefix, never in full again.
    again = client.get("/account/")
    assert plaintext not in again.content.decode()
    row = token_rows(page(again))["laptop"]
    assert row["Token"] == f"{plaintext[:8]}…"
    assert row["State"] == "active"
    assert row["Last used"] != "never"  # it was just used
    assert (row["Access"], row["Expires"]) == ("read and write", "never")


def test_the_account_page_revokes_a_token(client):
    client.post("/account/", {"name": "old"})
    token = ApiToken.objects.get()
    plaintext = page(client.post("/account/", {"name": "spare"})).xpath("//*[@id='new-token']//code/text()")[0]

    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    doc = page(response)
    assert "Revoked the token" in doc.text_content()
    token.refresh_from_db()
    assert token.revoked_at is not None
    states = {name: row["State"] for name, row in token_rows(doc).items()}
    assert states["old"].startswith("revoked") and states["spare"] == "active"
    assert works(client, plaintext)


def test_a_token_revoked_on_the_account_page_gets_401(client):
    tester = User.objects.get(username=TEST_USERNAME)
    token, plaintext = ApiToken.issue(tester, "gone")
    assert works(client, plaintext)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert not works(client, plaintext)


def test_nobody_revokes_someone_elses_token(client):
    ada = User.objects.create_user("ada")
    token, plaintext = ApiToken.issue(ada, "ada's")

    response = client.post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert works(client, plaintext)
    assert "ada's" not in client.get("/account/").content.decode()


def test_revoking_needs_a_post(client):
    token = ApiToken.issue(User.objects.get(username=TEST_USERNAME))[0]
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.anonymous
def test_the_account_page_needs_a_login(client):
    User.objects.create_user("ada")
    for url in ("/account/", "/account/tokens/1/revoke/"):
        response = client.post(url, {"name": "x"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert not ApiToken.objects.exists()


# -- expiry -------------------------------------------------------------------------------------


def test_an_expired_token_gets_401_like_a_revoked_one(client):
    ada = User.objects.create_user("ada")
    _, expired = ApiToken.issue(ada, "old", expires_at=timezone.now() - timedelta(seconds=1))
    _, later = ApiToken.issue(ada, "new", expires_at=timezone.now() + timedelta(days=1))

    response = client.get("/api/v1/templates/", HTTP_AUTHORIZATION=f"Token {expired}")

    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired."}
    assert works(client, later)
    assert ApiToken.objects.get(name="old").last_used is None


def test_the_account_page_makes_a_token_that_expires(client):
    before = timezone.now()
    doc = page(client.post("/account/", {"name": "ci", "expires_in_days": "30"}))

    assert doc.xpath("//*[@id='new-token']//code/text()")
    token = ApiToken.objects.get()
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    row = token_rows(page(client.get("/account/")))["ci"]
    assert row["Expires"] == timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
    assert row["State"] == "active"


def test_the_account_page_shows_an_expired_token_as_expired_with_no_revoke_button(client):
    tester = User.objects.get(username=TEST_USERNAME)
    ApiToken.issue(tester, "stale", expires_at=timezone.now() - timedelta(days=1))

    doc = page(client.get("/account/"))

    assert token_rows(doc)["stale"]["State"].startswith("expired ")
    assert not doc.xpath("//table//tr[td]//button")


@pytest.mark.parametrize("days", ["0", "-3", "99999", "soon"])
def test_the_account_page_refuses_an_expiry_that_makes_no_sense(client, days):
    doc = page(client.post("/account/", {"name": "ci", "expires_in_days": days}))
    assert doc.xpath("//*[@class='field-errors']")
    assert not doc.xpath("//*[@id='new-token']")
    assert not ApiToken.objects.exists()


# -- read-only scope ----------------------------------------------------------------------------


def test_a_read_only_token_reads_but_may_not_import(client):
    ada = User.objects.create_user("ada")
    _, writer = ApiToken.issue(ada, "writer")
    _, reader = ApiToken.issue(ada, "reader", scope=ApiToken.Scope.READ)
    made = client.post(
        "/api/v1/templates/import", STARTER.read_bytes(), content_type="application/xml",
        HTTP_AUTHORIZATION=f"Token {writer}",
    )  # fmt: skip
    assert made.status_code == 201
    template_id = made.json()["id"]

    for path in ("/templates/", f"/templates/{template_id}/", f"/templates/{template_id}/domain.xml"):
        assert client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Token {reader}").status_code == 200, path
    refused = client.post(
        "/api/v1/templates/import", STARTER.read_bytes(), content_type="application/xml",
        HTTP_AUTHORIZATION=f"Token {reader}",
    )  # fmt: skip

    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert DomainTemplate.objects.count() == 1


def test_the_account_page_makes_a_read_only_token_and_lists_its_access(client):
    doc = page(client.post("/account/", {"name": "dashboard", "scope": "read"}))
    plaintext = doc.xpath("//*[@id='new-token']//code/text()")[0]

    assert ApiToken.objects.get().scope == ApiToken.Scope.READ
    assert works(client, plaintext)
    assert token_rows(page(client.get("/account/")))["dashboard"]["Access"] == "read only"
