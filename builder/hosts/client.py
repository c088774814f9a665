"""Calling a host: in a child process with a timeout (real hosts) or here (the test driver)."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings

from . import remote
from .hostlock import HostBusy, one_call
from .models import Host, safe_uri
from .uris import BadUri, check_uri


class HostError(Exception):
    """A host could not do what was asked; the message is fit to show (no credentials in it)."""


def bindings_available() -> bool:
    """Whether libvirt-python can be imported here (without it the app runs, and says push is off)."""
    try:
        import libvirt  # noqa: F401
    except ImportError:
        return False
    return True


def secrets_of(uri: str) -> list[str]:
    """What in a URI may be a credential or say where one is kept: a password, the query's values."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return [uri]
    found = [v for _, v in parse_qsl(parts.query, keep_blank_values=False)]
    if parts.password:
        found.append(parts.password)
    return [s for s in found if len(s) >= 3]


def _redact(message: str, uri: str) -> str:
    """libvirt's message without the URI's secrets (it names a missing keyfile, for instance)."""
    if not uri:
        return message
    message = message.replace(uri, safe_uri(uri))
    for secret in sorted(secrets_of(uri), key=len, reverse=True):
        message = message.replace(secret, "[hidden]")
    return message


def call(host: Host | str, op: str, **args):
    """The value of `op` on the host; HostError with a readable reason otherwise."""
    uri = host.uri if isinstance(host, Host) else host
    if not bindings_available():
        raise HostError("Pushing is unavailable: libvirt-python is not installed on this server.")
    try:  # checked again at each call: a row written before the check existed may hold anything
        check_uri(uri)
    except BadUri as e:
        raise HostError(f"this host's URI is not allowed ({e}); an admin of the host must change it") from None
    if uri.startswith("test:"):  # in this process and instant: nothing to wait behind
        answer = remote.run_here(uri, op, args)
    else:
        try:
            with one_call(uri):
                answer = _in_child(uri, op, args)
        except HostBusy:
            raise HostError("the host is busy with another request from this site; try again in a moment") from None
    if not answer.get("ok"):
        raise HostError(_redact(answer.get("error") or "libvirt gave no reason", uri))
    return answer["value"]


def _in_child(uri: str, op: str, args: dict) -> dict:
    timeout = settings.LIBVIRT_TIMEOUT
    request = json.dumps({"uri": uri, "op": op, "args": args})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "builder.hosts.remote"],
            input=request,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=settings.BASE_DIR,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        return {"ok": False, "error": f"the host did not answer within {timeout:g} s (timed out)"}
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"ok": False, "error": f"the libvirt call failed: {done.stderr.strip()[-300:] or 'no answer'}"}
