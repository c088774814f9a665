"""API tokens made by `manage.py api_token` (its options too), stored as a hash."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from builder.api.models import ApiToken
from tests.api_tokens_support import api_token, works
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db

User = get_user_model()


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
