"""Security headers on every page, no inline script anywhere, cookie flags, the settings a production
environment gives, and `check --deploy` with them.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from builder.api.models import ApiToken
from tests.helpers import ROOT
from tests.security_support import (
    API,
    PASSWORD,
    PRODUCTION_ENV,
    assert_security_headers,
    clean_env,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


# -- headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["library", "import", "teams", "hosts", "account", "password_change"])
def test_every_page_carries_the_security_headers(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response  # plain HTTP: HSTS means nothing there


@pytest.mark.anonymous
def test_the_login_page_the_setup_page_and_redirects_carry_them_too(client):
    assert_security_headers(client.get("/"))  # the first-run redirect to /setup/
    assert_security_headers(client.get(reverse("setup")))
    User.objects.create_user("ada", password=PASSWORD)
    assert_security_headers(client.get("/"))  # the redirect to the login page
    assert_security_headers(client.get(reverse("login")))
    assert_security_headers(client.get("/admin/login/"))


def test_the_api_carries_them(client):
    user = User.objects.create_user("ada")
    token = ApiToken.issue(user, "t")[1]
    response = client.get(f"{API}/templates/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert_security_headers(response)
    refused = client.get(f"{API}/templates/", HTTP_AUTHORIZATION="Token nonsense")
    assert refused.status_code == 401
    assert_security_headers(refused)
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    assert_security_headers(docs)


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_SSL_REDIRECT=True)
def test_over_https_it_sends_hsts_and_sends_plain_http_to_https(client):
    secure = client.get(reverse("library"), secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get(reverse("library"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=3600, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_behind_a_tls_proxy_its_header_counts_as_https(client):
    response = client.get(reverse("library"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=3600")


# -- no inline script anywhere ---------------------------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler attribute"),
    (re.compile(r"\bhx-on\b|\bhx-on:|\bhx-vars\b|\bjs:", re.I), "htmx feature that needs eval"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\sstyle\s*=", re.I), "inline style attribute"),
]


def test_no_template_has_inline_script_or_handlers():
    files = sorted((ROOT / "templates").rglob("*.html"))
    assert len(files) > 30
    for path in files:
        text = path.read_text()
        for pattern, what in INLINE:
            assert not pattern.search(text), f"{path.relative_to(ROOT)}: {what}: {pattern.search(text).group(0)!r}"


def test_the_scripts_use_no_eval():
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        text = path.read_text()
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*[\"']", text), path


def test_htmx_comes_from_static_files_and_is_told_not_to_eval(client):
    html = client.get(reverse("library")).content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/' in s for s in scripts), scripts
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
    for pattern, what in INLINE:
        assert not pattern.search(html), what


# -- cookies ---------------------------------------------------------------------------------------


@pytest.mark.anonymous
@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, SECURE_HSTS_SECONDS=3600)
def test_cookies_are_secure_and_httponly_under_production_settings(client):
    User.objects.create_user("ada", password=PASSWORD)
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def production_settings(**extra) -> dict:
    """Settings as builder/settings.py derives them from a production environment, in a fresh process."""
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "X_FRAME_OPTIONS",
        "SESSION_ENGINE",
        "CACHES",
    ]
    code = f"from django.conf import settings as s; print(repr({{n: getattr(s, n, None) for n in {names!r}}}))"
    env = {**clean_env(), "DJANGO_SETTINGS_MODULE": "builder.settings", **PRODUCTION_ENV, **extra}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return ast.literal_eval(out)


def test_production_environment_turns_every_secure_flag_on():
    s = production_settings()
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] == 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["X_FRAME_OPTIONS"] == "DENY"
    # Nothing per process: sessions in the database, no local-memory cache.
    assert s["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert s["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.dummy.DummyCache"
    proxied = production_settings(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https")
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    plain = production_settings(HTTPS="false")
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["SECURE_SSL_REDIRECT"] and not plain["SECURE_HSTS_SECONDS"]


def test_check_deploy_is_clean_with_production_settings():
    env = clean_env("HTTPS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
