"""API tokens: made by `manage.py api_token` or on the account page, shown once, stored as a hash."""

from __future__ import annotations

import getpass
import hashlib
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from builder.api.models import ApiToken
from builder.library.models import DomainTemplate
from tests.conftest import TEST_USERNAME
from tests.helpers import ROOT, STARTER

pytestmark = pytest.mark.django_db

User = get_user_model()


def works(client, plaintext: str) -> bool:
    response = client.get("/api/v1/templates/", HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert response.status_code in (200, 401)
    return response.status_code == 200


def token_rows(doc) -> dict[str, dict[str, str]]:
    """The account page's token table: {name: {column heading: cell text}}."""
    headings = [th.text_content().strip() for th in doc.xpath("//table[@class='tokens']//th")]
    rows = [[td.text_content().strip() for td in tr.xpath("td")] for tr in doc.xpath("//table//tr[td]")]
    return {cells[0]: dict(zip(headings, cells, strict=True)) for cells in rows}


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


# -- revoked by a password change ---------------------------------------------------------------

PASSWORD, NEW_PASSWORD = "an-old-long-password-1", "a-new-long-password-2"


def user_with_tokens(name: str = "ada") -> tuple:
    user = User.objects.create_user(name, password=PASSWORD)
    return user, [ApiToken.issue(user, n)[1] for n in ("one", "two")]


def test_changing_the_password_on_the_password_page_revokes_every_token_of_that_user(client):
    ada, tokens = user_with_tokens()
    _, others = user_with_tokens("bea")
    client.force_login(ada)

    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not any(works(client, t) for t in tokens)
    assert all(works(client, t) for t in others)
    assert not ApiToken.objects.filter(user=ada, revoked_at__isnull=True).exists()
    states = {row["State"] for row in token_rows(page(client.get("/account/"))).values()}
    assert all(s.startswith("revoked") for s in states) and len(states) >= 1
    assert "API tokens" in client.get("/accounts/password/done/").content.decode()


def test_set_password_and_save_revoke_every_token(client):
    ada, tokens = user_with_tokens()
    ada.set_password(NEW_PASSWORD)
    ada.save()
    assert not any(works(client, t) for t in tokens)


def test_changepassword_revokes_every_token(client, monkeypatch):
    _, tokens = user_with_tokens()
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "ada", stdout=StringIO())
    assert not any(works(client, t) for t in tokens)


def test_the_admins_password_form_revokes_every_token(client):
    ada, tokens = user_with_tokens()
    response = client.post(
        f"/admin/auth/user/{ada.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert not any(works(client, t) for t in tokens)


def test_disabling_the_password_in_the_admin_revokes_every_token(client):
    ada, tokens = user_with_tokens()
    form = {"usable_password": "false", "unset-password": "1"}  # the admin asks for its own submit button too
    response = client.post(f"/admin/auth/user/{ada.pk}/password/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    ada.refresh_from_db()
    assert not ada.has_usable_password()
    assert not any(works(client, t) for t in tokens)


def test_saving_a_user_without_changing_the_password_keeps_the_tokens(client):
    ada, tokens = user_with_tokens()
    ada.first_name = "Ada"
    ada.save()
    ada.email = "ada@example.org"
    ada.save(update_fields=["email"])
    User.objects.get(pk=ada.pk).save()  # a fresh copy, saved whole
    assert client.login(username="ada", password=PASSWORD)  # saves last_login
    assert all(works(client, t) for t in tokens)


def test_a_login_that_rehashes_an_outdated_password_hash_keeps_the_tokens(client):
    ada, tokens = user_with_tokens()
    old = PBKDF2PasswordHasher()
    # In the database as an older Django left it (an update: no save, no signal).
    User.objects.filter(pk=ada.pk).update(password=old.encode(PASSWORD, old.salt(), iterations=1000))
    ada.refresh_from_db()

    assert ada.check_password(PASSWORD)  # Django hashes it again, with today's iterations

    ada.refresh_from_db()
    assert "$1000$" not in ada.password
    assert all(works(client, t) for t in tokens)


# -- the command's options ----------------------------------------------------------------------


def test_the_command_makes_a_read_only_token_that_expires(client):
    ada = User.objects.create_user("ada")
    before = timezone.now()

    out, err, code = api_token("ada", "--expires-in-days", "7", "--read-only")

    assert (code, err) == (0, "")
    token = ApiToken.objects.get()
    assert token.scope == ApiToken.Scope.READ and token.user == ada
    assert before + timedelta(days=7) <= token.expires_at <= timezone.now() + timedelta(days=7)
    assert works(client, out.strip())


def test_the_command_makes_a_token_that_never_expires_with_full_access_by_default():
    User.objects.create_user("ada")
    api_token("ada")
    token = ApiToken.objects.get()
    assert token.expires_at is None and token.scope == ApiToken.Scope.READ_WRITE


@pytest.mark.parametrize("days", ["0", "-1"])
def test_the_command_refuses_an_expiry_that_is_not_in_the_future(days):
    User.objects.create_user("ada")
    out, err, code = api_token("ada", "--expires-in-days", days)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "--expires-in-days" in err
    assert not ApiToken.objects.exists()
