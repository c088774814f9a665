"""What the hardening tests share: production settings' environment, the security headers every
response carries, and a local server's port, start and requests."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time

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
