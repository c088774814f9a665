"""At most one call to a real host at a time, across every web process on this server.

A host that does not answer holds its caller for LIBVIRT_TIMEOUT; without this, a few refreshes of
one silent host would hold every worker, and the whole site would wait. The next caller is told
the host is busy at once instead of queueing. (Background jobs will replace this; until then it is
a lock file per host URI, taken without waiting.)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from pathlib import Path

from django.conf import settings


class HostBusy(Exception):
    pass


def _path(uri: str) -> Path:
    folder = Path(settings.HOST_LOCK_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"{hashlib.sha256(uri.encode()).hexdigest()[:24]}.lock"


@contextlib.contextmanager
def one_call(uri: str):
    """Hold the host's lock for the call; HostBusy when another call holds it."""
    fd = os.open(_path(uri), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HostBusy from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
