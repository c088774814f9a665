"""Run a command against a real PostgreSQL: `python -m tests.postgres COMMAND [ARG...]`.

`make test` runs the suite a second time through this. Debian 12, as root, without systemd:
Debian's `postgresql` is installed when missing; when its cluster is down, it is started with
`pg_ctlcluster` (listening on 127.0.0.1 and its unix socket only) and stopped again at the end. A
cluster that was already running is left running, as it was. A role (with CREATEDB: pytest-django
makes its own `test_<name>` database) and a database (one per run, dropped at its end) are made for
the tests, and COMMAND runs with DATABASE_URL pointing at them. Exits with COMMAND's exit status.

Several runs may overlap (the suite, a benchmark): each registers itself in STATE_DIR, and a
cluster started by one of them is stopped by the last one to finish, never under another's feet.
The role's password is fixed (TEST_POSTGRES_PASSWORD overrides it) so that overlapping runs share
it; the role can only create databases and the cluster listens on the loopback address only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

PACKAGE = "postgresql"
ROLE = "domain_builder_test"
# One database per run (pytest-django makes test_<it>): overlapping runs never drop each other's.
DATABASE = f"domain_builder_test_{os.getpid()}"
SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
INSTALL_TIMEOUT = 1800  # s, a slow mirror on a fresh machine
UPDATE_TIMEOUT = 600
READY_TIMEOUT = 60
PASSWORD = os.environ.get("TEST_POSTGRES_PASSWORD", "domain-builder-test")
STATE_DIR = Path("/run" if os.access("/run", os.W_OK) else os.environ.get("TMPDIR", "/tmp")) / "domain-builder-postgres"
STARTED = STATE_DIR / "started"  # "VERSION NAME" of a cluster these runs started: the last one out stops it


class SetupError(Exception):
    pass


def say(line: str) -> None:
    print(f"postgres: {line}", file=sys.stderr, flush=True)


def _env() -> dict[str, str]:
    return {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "PATH": f"{os.environ.get('PATH', '')}:{SBIN_PATH}"}


def _run(cmd: list[str], timeout: int = 120, check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(
            cmd, env=_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise SetupError(f"`{' '.join(cmd)}` took more than {timeout} s") from None
    if check and done.returncode:
        raise SetupError(f"`{' '.join(cmd)}` exited {done.returncode}:\n{_tail(done.stdout + done.stderr)}")
    return done


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _which(name: str) -> str | None:
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:{SBIN_PATH}")


def _installed() -> bool:
    done = _run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], timeout=60, check=False)
    return done.stdout.strip().endswith("ok installed") and bool(_which("pg_ctlcluster"))


def install() -> None:
    """apt-get install postgresql, non-interactively, updating the package lists only when needed."""
    cmd = [
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "-o",
        "DPkg::Lock::Timeout=300",
        "-o",
        "Dpkg::Options::=--force-confdef",
        "-o",
        "Dpkg::Options::=--force-confold",
        PACKAGE,
    ]
    say(f"installing Debian's {PACKAGE} (first run only)...")
    started = time.monotonic()
    done = _run(cmd, INSTALL_TIMEOUT, check=False)
    output = done.stdout + done.stderr
    if done.returncode and any(
        s in output for s in ("Unable to locate package", "has no installation candidate", "404  Not Found")
    ):
        say("no usable package lists: apt-get update...")
        _run(["apt-get", "update", "-q"], UPDATE_TIMEOUT)
        done = _run(cmd, INSTALL_TIMEOUT, check=False)
        output = done.stdout + done.stderr
    # A postinst that only fails to start the service still leaves the package installed.
    if not _installed():
        raise SetupError(f"apt-get install {PACKAGE} exited {done.returncode}:\n{_tail(output)}")
    say(f"installed in {time.monotonic() - started:.0f} s")


def clusters() -> list[tuple[str, str, str, str]]:
    """(version, name, port, status) of each cluster pg_lsclusters knows."""
    out = _run(["pg_lsclusters", "--no-header"]).stdout
    return [tuple(line.split()[:4]) for line in out.splitlines() if len(line.split()) >= 4]


def cluster() -> tuple[str, str, str, bool]:
    """The cluster to use (Debian's main one; made when there is none): version, name, port, online."""
    found = clusters()
    if not found:
        versions = [p.name for p in Path("/usr/lib/postgresql").iterdir()]
        version = sorted(versions, key=lambda v: [int(p) for p in v.split(".")])[-1]
        say(f"no cluster: pg_createcluster {version} main")
        _run(["pg_createcluster", version, "main"])
        found = clusters()
    version, name, port, status = next((c for c in found if c[1] == "main"), found[0])
    return version, name, port, status.startswith("online")


def psql(port: str, sql: str, database: str = "postgres") -> str:
    """Run SQL as the postgres superuser over the unix socket (peer authentication)."""
    cmd = ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    return _run([*cmd, "-p", port, "-d", database, "-c", sql], timeout=60).stdout.strip()


def wait_ready(port: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        done = _run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", port], timeout=30, check=False)
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise SetupError(f"PostgreSQL on 127.0.0.1:{port} not ready after {READY_TIMEOUT} s")
        time.sleep(0.2)


def prepare(port: str) -> str:
    """The tests' role and database; returns their DATABASE_URL."""
    password = PASSWORD.replace("'", "''")
    if psql(port, f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'") == "1":
        psql(port, f"ALTER ROLE {ROLE} WITH LOGIN CREATEDB PASSWORD '{password}'")
    else:
        psql(port, f"CREATE ROLE {ROLE} WITH LOGIN CREATEDB PASSWORD '{password}'")
    if psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":
        psql(port, f"CREATE DATABASE {DATABASE} OWNER {ROLE} ENCODING 'UTF8' TEMPLATE template0")
    return f"postgres://{ROLE}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/{DATABASE}"


@contextlib.contextmanager
def _locked():
    """The runs' shared state, one run at a time."""
    STATE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(STATE_DIR / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _others() -> list[int]:
    """The other runs still alive (files of runs that died are removed)."""
    alive = []
    for f in STATE_DIR.glob("run-*"):
        pid = int(f.name.removeprefix("run-"))
        if pid == os.getpid():
            continue
        if Path(f"/proc/{pid}").exists():
            alive.append(pid)
        else:
            f.unlink(missing_ok=True)
    return alive


def setup() -> str:
    """Install, start (when needed) and prepare; returns the DATABASE_URL. Call with _locked() held."""
    (STATE_DIR / f"run-{os.getpid()}").touch()
    fresh = False
    if not _installed():
        if os.geteuid() != 0:
            raise SetupError(f"{PACKAGE} missing, not root: apt-get install {PACKAGE}, or run as root")
        install()
        fresh = True
    version, name, port, online = cluster()
    if online and fresh:  # the package's init script started it: ours to stop
        STARTED.write_text(f"{version} {name}")
        say(f"cluster {version}/{name} was started by the install; stopped at the end")
    elif not online:
        if os.geteuid() != 0:
            raise SetupError(f"cluster {version}/{name} is down and this is not root: cannot start it")
        began = time.monotonic()
        # Only the loopback address and the unix socket, whatever postgresql.conf says.
        _run(["pg_ctlcluster", version, name, "start", "--", "-o", "-c listen_addresses=127.0.0.1"], timeout=120)
        STARTED.write_text(f"{version} {name}")
        say(f"started cluster {version}/{name} on 127.0.0.1:{port} in {time.monotonic() - began:.1f} s")
    elif STARTED.exists():
        say(f"cluster {version}/{name} on port {port} was started by another test run: stopped by the last one")
    else:
        say(f"cluster {version}/{name} already running on port {port}: left running")
    wait_ready(port)
    return prepare(port)


def teardown() -> None:
    """This run is done: the last run stops a cluster the runs started. Call with _locked() held."""
    (STATE_DIR / f"run-{os.getpid()}").unlink(missing_ok=True)
    with contextlib.suppress(SetupError, StopIteration, OSError):
        port = next(c[2] for c in clusters() if c[3].startswith("online"))
        psql(port, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        psql(port, f"DROP DATABASE IF EXISTS test_{DATABASE} WITH (FORCE)")  # left by a command that died
    if not STARTED.exists():
        return
    if others := _others():
        say(f"cluster left running for the other test run(s) {', '.join(map(str, others))}")
        return
    version, name = STARTED.read_text().split()
    done = _run(["pg_ctlcluster", version, name, "stop", "-m", "fast"], timeout=120, check=False)
    STARTED.unlink(missing_ok=True)
    say(f"stopped cluster {version}/{name}" + (f" (exit {done.returncode})" if done.returncode else ""))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    # Stopped by make or CI (SIGTERM): still stop what was started here.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with _locked():
            url = setup()
        say(f"running {' '.join(argv)} with DATABASE_URL={url.replace(quote(PASSWORD, safe=''), '***')}")
        return subprocess.run(argv, env={**os.environ, "DATABASE_URL": url}, check=False).returncode
    except SetupError as e:
        say(str(e))
        return 1
    finally:
        with _locked():
            teardown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
