"""API tokens: made by `manage.py api_token` or on the account page, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from io import StringIO

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from builder.api.models import ApiToken
from tests.conftest import TEST_USERNAME
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db

User = get_user_model()


def works(client, plaintext: str) -> bool:
    response = client.get("/api/v1/templates/", HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert response.status_code in (200, 401)
    return response.status_code == 200


def api_token(*args) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("api_token", *args, stdout=out, stderr=err)
    except CommandError as e:
        return out.getvalue(), err.getvalue(), e.returncode
    return out.getvalue(), err.getvalue(), 0


# -- the command --------------------------------------------------------------------------------


def test_the_command_prints_only_a_working_token(client):
    ada = User.objects.create_user("ada")

    out, err, code = api_token("ada", "--name", "backup script")

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 1 and len(lines[0]) >= 40
    plaintext = lines[0]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (ada, "backup script", plaintext[:8])
    assert works(client, plaintext)


def test_the_command_refuses_an_unknown_user():
    out, err, code = api_token("nobody")
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and "nobody" in err
    assert not ApiToken.objects.exists()


def test_the_command_exits_1_in_a_process_of_its_own(tmp_path):
    db = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "builder.settings", "PATH": "/usr/bin:/bin"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    assert manage("migrate", "--noinput", "-v", "0").returncode == 0
    result = manage("api_token", "ghost")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: no user named 'ghost'")


# -- storage ------------------------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_stored():
    ada = User.objects.create_user("ada")
    token, plaintext = ApiToken.issue(ada, "x")
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()]
    assert all(plaintext not in v for v in stored)


def test_two_tokens_differ_and_each_works(client):
    ada = User.objects.create_user("ada")
    one, two = ApiToken.issue(ada)[1], ApiToken.issue(ada)[1]
    assert one != two
    assert works(client, one) and works(client, two)


# -- the account page ---------------------------------------------------------------------------


def page(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


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
    row = page(again).xpath("//table//tr[td]")[0]
    cells = [c.text_content().strip() for c in row.xpath("td")]
    assert cells[:2] == ["laptop", f"{plaintext[:8]}…"]
    assert cells[4] == "active"
    assert cells[3] != "never"  # it was just used


def test_the_account_page_revokes_a_token(client):
    client.post("/account/", {"name": "old"})
    token = ApiToken.objects.get()
    plaintext = page(client.post("/account/", {"name": "spare"})).xpath("//*[@id='new-token']//code/text()")[0]

    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    doc = page(response)
    assert "Revoked the token" in doc.text_content()
    token.refresh_from_db()
    assert token.revoked_at is not None
    states = {r.xpath("td")[0].text_content(): r.xpath("td")[4].text_content() for r in doc.xpath("//table//tr[td]")}
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
