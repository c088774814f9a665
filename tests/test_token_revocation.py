"""API tokens revoked by a password change (the password page, set_password, changepassword, the
admin), and kept when the password stays.
"""

from __future__ import annotations

import getpass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command

from builder.api.models import ApiToken
from tests.api_tokens_support import page, token_rows, works

pytestmark = pytest.mark.django_db

User = get_user_model()


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
