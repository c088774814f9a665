"""`make serve`: gunicorn with whitenoise, its workers and threads, and the local secret file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.helpers import ROOT
from tests.security_support import (
    PASSWORD,
    clean_env,
    free_port,
    request,
    wait_for,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


# -- make serve: gunicorn + whitenoise -------------------------------------------------------------


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
