"""Body size limits and hostile XML: 413 before a body over the limit is read (in Django, the
development server and gunicorn's workers), and hostile XML through the Import page.
"""

from __future__ import annotations

import html
import http.client
import re
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from builder.library.models import DeviceSlot, DomainTemplate
from tests.helpers import ROOT, STARTER
from tests.hostile_support import HOSTILE
from tests.security_support import (
    API,
    PRODUCTION_ENV,
    assert_security_headers,
    clean_env,
    free_port,
    request,
    wait_for,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


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
