"""Hardening: security headers, cookie flags, login rate limiting, body size limits, hostile XML
through the Import page, `check --deploy` with production settings, and `make serve` (gunicorn + whitenoise).
"""

from __future__ import annotations

import ast
import html
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from builder.api.models import ApiToken
from builder.library.models import DeviceSlot, DomainTemplate
from tests.helpers import ROOT, STARTER
from tests.hostile_support import HOSTILE

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a-long-password-1"
API = "/api/v1"
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k3V9q-not-a-real-secret-but-long-and-random-enough-zP8wX2mN7bR4tY6uI0oA5sD1fG",
    "ALLOWED_HOSTS": "builder.example.org",
}


def clean_env(*drop: str) -> dict[str, str]:
    """This process's environment less what the tests set for themselves (the browser tests' async
    escape hatch, which check --deploy rightly refuses) and the settings a test gives explicitly."""
    drop = ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", *drop)
    return {k: v for k, v in os.environ.items() if k not in drop}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    parts = [p.strip().split() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_security_headers(response):
    csp = policy(response)
    assert csp["script-src"] == ["'self'"], csp
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


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


# -- login rate limiting ---------------------------------------------------------------------------


def login(client, username, password, url=None, ip="10.0.0.1"):
    url = url or reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.anonymous
def test_too_many_wrong_passwords_lock_the_account_out_with_a_clear_page(client):
    User.objects.create_user("ada", password=PASSWORD)
    User.objects.create_user("bea", password=PASSWORD)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = login(client, "ada", "wrong")
        assert response.status_code == 200  # the login page again, with its error
        assert b"Please enter a correct username and password" in response.content
    locked = login(client, "ada", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page and f"after {limit} wrong passwords" in page
    assert "Try again in 0:15:00" in page
    assert_security_headers(locked)

    # Even the right password is refused now, on the login page and on the admin's.
    right = login(client, "ada", PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    admin = login(Client(), "ada", PASSWORD, url="/admin/login/")
    assert admin.status_code == 429

    # Another user from the same address, and the same user from another address, go on.
    other = Client()
    assert login(other, "bea", PASSWORD).status_code == 302
    elsewhere = Client()
    assert login(elsewhere, "ada", PASSWORD, ip="10.0.0.2").status_code == 302

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    again = login(Client(), "ada", PASSWORD)
    assert again.status_code == 302


@pytest.mark.anonymous
def test_the_admin_login_counts_failures_too(client):
    User.objects.create_superuser("root", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "root", "wrong", url="/admin/login/").status_code == 200
    assert login(client, "root", "wrong", url="/admin/login/").status_code == 429
    assert login(Client(), "root", PASSWORD).status_code == 429  # and the site's login page knows


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_counted():
    from django.test import RequestFactory

    from builder.security import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


# -- body size -------------------------------------------------------------------------------------


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize("path", ["/import/", "/import/file/", f"{API}/templates/import"])
def test_a_body_over_the_limit_is_refused_with_413_unread(client, path):
    too_big = settings.MAX_REQUEST_BYTES + 1
    response = client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(too_big),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    # Hop-by-hop headers are the server's (PEP 3333): the dev server refuses them with a 500.
    assert "Connection" not in response
    text = response.content.decode()
    assert f"over the limit of {settings.MAX_REQUEST_BYTES} bytes" in text
    if path.startswith(API):
        assert "limit" in response.json()["error"]
    assert_security_headers(response)
    assert client.get(reverse("library")).status_code == 200


def test_the_limit_leaves_room_for_a_bundle_at_its_own_limit():
    assert settings.MAX_REQUEST_BYTES >= 8 * settings.MAX_XML_BYTES + 64 * 1024


# -- hostile XML through the Import page ------------------------------------------------------------


@pytest.mark.parametrize(("make", "reason"), [(m, r) for _, m, r in HOSTILE], ids=[i for i, _, _ in HOSTILE])
@pytest.mark.parametrize("url", ["import", "import-file"])
def test_the_import_page_refuses_hostile_xml_with_a_reason_and_saves_nothing(client, listener, make, reason, url):
    data = make(listener.url)
    field = "files" if url == "import" else "file"
    start = time.perf_counter()
    response = client.post(reverse(url), {field: SimpleUploadedFile("hostile.xml", data, "application/xml")})
    elapsed = time.perf_counter() - start

    text = html.unescape(response.content.decode())
    if len(data) > settings.MAX_REQUEST_BYTES:
        assert response.status_code == 413  # refused before Django read the file
    else:
        assert response.status_code == 422
        assert "hostile.xml" in text and "error: " in text
    assert re.search(reason, text), text[-2000:]
    assert "Traceback" not in text and "FETCHED-FROM-THE-NETWORK" not in text and "root:x:" not in text
    assert not DomainTemplate.objects.exists() and not DeviceSlot.objects.exists()
    assert listener.requests == []
    assert elapsed < 2.0, f"took {elapsed:.2f} s"
    # The server goes on: a good file right after is imported.
    good = client.post(reverse("import"), {"files": SimpleUploadedFile("good.xml", STARTER.read_bytes())})
    assert good.status_code == 200 and DomainTemplate.objects.count() == 1


def test_pasted_hostile_xml_is_refused_too(client, listener):
    for _, make, reason in HOSTILE:
        data = make(listener.url)
        if len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            continue  # a form field this large is refused by Django itself (400), below
        try:
            pasted = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # a text field holds characters: undecodable bytes cannot be pasted
        if not pasted.strip():
            continue  # nothing pasted: the page says there is nothing to import
        response = client.post(reverse("import"), {"pasted": pasted})
        assert response.status_code == 422, reason
        text = html.unescape(response.content.decode())
        assert "pasted XML" in text and re.search(reason, text), text
    huge = client.post(reverse("import"), {"pasted": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert huge.status_code == 400
    assert not DomainTemplate.objects.exists()
    assert listener.requests == []


# -- make serve: gunicorn + whitenoise -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "make serve stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {seconds} s")


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_make_serve_runs_gunicorn_with_whitenoise_and_stops(tmp_path):
    port = free_port()
    secret_file = tmp_path / "secret"
    env = clean_env("SECRET_KEY", "DEBUG", "HTTPS", "ALLOWED_HOSTS")
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", GUNICORN_WORKERS="2", GUNICORN_THREADS="2")
    # -o: the virtual environment is there already (make test made it); serve must not reinstall it.
    command = ["make", "-s", "-o", ".venv/.installed", "-o", "sysdeps", "serve", f"PORT={port}"]
    command.append(f"SECRET_FILE={secret_file}")
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for(port, process)
        # A secret of its own, kept readable by its owner only.
        assert secret_file.stat().st_mode & 0o777 == 0o600 and len(secret_file.read_text().strip()) >= 50

        status, headers, body = request(port, "GET", "/accounts/login/")
        assert status == 302 and headers["Location"] == "/setup/"  # no account yet
        subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from django.contrib.auth.models import User; "
             f"User.objects.create_user('ada', password={PASSWORD!r})"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "builder.settings", "DEBUG": "false",
                           "SECRET_KEY": secret_file.read_text().strip()}, check=True,
        )  # fmt: skip
        status, headers, body = request(port, "GET", "/accounts/login/")
        assert status == 200 and b'id="login-form"' in body
        assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
        assert "Server: gunicorn" not in body.decode()
        # Plain HTTP on 127.0.0.1: HTTPS is off, so the CSRF cookie is not Secure (it would be dropped).
        assert "Secure" not in headers.get("Set-Cookie", "") and "HttpOnly" in headers["Set-Cookie"]

        # Static files from whitenoise (collected by make serve), compressed when asked.
        status, headers, body = request(port, "GET", "/static/js/editor.js")
        assert status == 200 and body == (ROOT / "static" / "js" / "editor.js").read_bytes()
        assert headers["Content-Type"].startswith("text/javascript") and "max-age" in headers["Cache-Control"]
        status, headers, _ = request(port, "GET", "/static/django_htmx/htmx-2.min.js", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"

        # A body over the limit: 413 at once, none of it sent.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(
                b"POST /import/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml\r\n"
                + f"Content-Length: {settings.MAX_REQUEST_BYTES + 1}\r\n\r\n".encode()
            )
            answer = s.recv(65536)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        # A header line over gunicorn's limit: refused by gunicorn itself.
        status, _, _ = request(port, "GET", "/accounts/login/", {"X-Big": "x" * 9000})
        assert status in (400, 431)
        # ... and the server goes on.
        assert request(port, "GET", "/accounts/login/")[0] == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # make's own process group: make and gunicorn, nothing else
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    print(log.read_text()[-2000:])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_gunicorn_runs_a_process_per_core_each_answering_one_request():
    code = "import runpy; c = runpy.run_path('builder/gunicorn.conf.py'); "
    code += "print(c['workers'], c['threads'], c['worker_class'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    workers, threads, kind = out.stdout.split()
    assert int(workers) == max(2, len(os.sched_getaffinity(0))) and int(threads) == 1 and kind == "sync"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "GUNICORN_THREADS": "4"}, capture_output=True, text=True
    )
    assert out.stdout.split()[1] == "4"  # and gunicorn then runs its gthread worker
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "GUNICORN_WORKERS": "7"}, capture_output=True, text=True
    )
    assert out.stdout.split()[0] == "7"


def test_the_local_secret_file_is_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".secret_key"], cwd=ROOT)
    assert ignored.returncode == 0
    assert Path(ROOT / ".gitignore").read_text().count(".secret_key") == 1


# -- 413 on a real socket: the development server and gunicorn's two kinds of worker ----------------


def send_oversized(port: int, path: str) -> socket.socket:
    """A connection that has sent a POST declaring a body over the limit, and only its first bytes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/xml\r\n".encode()
        + f"Content-Length: {settings.MAX_REQUEST_BYTES + 1}\r\n\r\n".encode()
        + b"<domain>" * 128
    )
    return s


def read_response(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    response = http.client.HTTPResponse(s)
    response.begin()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def closed_by_server(s: socket.socket, seconds: float) -> bool:
    """Whether the server ends the connection while the client goes on sending the body."""
    s.settimeout(seconds)
    try:
        s.sendall(b"<domain>" * 16 * 1024)  # 128 KiB more: the server must not wait for all of it
        return s.recv(65536) == b""
    except TimeoutError:
        return False
    except OSError:  # reset, or a broken pipe: closed too
        return True


def stop(process: subprocess.Popen) -> None:
    process.terminate()  # this one process, by its pid
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_env(tmp_path, *drop: str, **extra: str) -> dict[str, str]:
    env = clean_env("DEBUG", "SECRET_KEY", "HTTPS", "ALLOWED_HOSTS", "DATABASE_URL", "GUNICORN_WORKERS", *drop)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_SETTINGS_MODULE="builder.settings", **extra)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def test_the_development_server_answers_413_for_a_body_over_the_limit(tmp_path):
    port = free_port()
    env = server_env(tmp_path)
    log = tmp_path / "runserver.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(port, process)
        for path in ("/import/", f"{API}/templates/import"):
            with send_oversized(port, path) as s:
                status, headers, body = read_response(s)
            assert status == 413, (path, body[:500], log.read_text()[-2000:])
            assert f"over the limit of {settings.MAX_REQUEST_BYTES} bytes" in body.decode()
        # ... and the server goes on.
        status, headers, _ = request(port, "GET", "/accounts/login/")
        assert status == 302 and headers["Location"] == "/setup/"
    finally:
        stop(process)
    assert "Hop-by-hop" not in log.read_text() and "Traceback" not in log.read_text()


@pytest.mark.parametrize("threads", ["1", "2"], ids=["sync", "gthread"])
def test_gunicorn_answers_413_and_closes_the_connection_without_reading_the_body(tmp_path, threads):
    port = free_port()
    env = server_env(tmp_path, **{**PRODUCTION_ENV, "ALLOWED_HOSTS": "127.0.0.1", "HTTPS": "false"})
    env.update(GUNICORN_WORKERS="1", GUNICORN_THREADS=threads)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "builder/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "builder.wsgi"]
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(port, process)
        with send_oversized(port, "/import/") as s:
            status, headers, body = read_response(s)
            assert status == 413, body[:500]
            # gunicorn decides about the connection itself: the sync worker closes after every
            # request, gthread after draining at most 64 KiB of what is left of the body.
            assert closed_by_server(s, seconds=10), headers
        assert request(port, "GET", "/accounts/login/")[0] == 302  # and goes on
    finally:
        stop(process)
