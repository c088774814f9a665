"""The preview request and the library page under load: 20 clients for 30 s against the app server.

    python -m tests.bench_load run [--duration 30] [--connections 20]

With DATABASE_URL set to a PostgreSQL database (as `python -m tests.postgres` sets it), it makes a
database of its own beside it (domain_builder_bench, dropped at the end); without, a fresh SQLite
file in a temporary folder. Either way: migrate, the starter library, a 20-device template for the
preview, a person to log in as, collectstatic; then the app server as `make serve` runs it (gunicorn,
production settings, on 127.0.0.1) and wrk (tests/bench_wrk.lua) against it, once per request.
Prints one line "BENCHLOAD {json}" with p50/p95/p99 and errors of each request; the server and the
database this made are stopped/removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("bench_wrk.lua")
USERNAME = "bench"
BENCH_DATABASE = "domain_builder_bench"


def say(line: str) -> None:
    print(f"bench_load: {line}", file=sys.stderr, flush=True)


def domain_xml(devices: int, name: str = "bench") -> str:
    """A KVM guest with ceil(n/2) virtio qcow2 disks and floor(n/2) virtio NICs (as bench_virtinst.py)."""
    disks = "".join(
        f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        f"<source file='/var/lib/libvirt/images/d{i}.qcow2'/><target dev='vd{chr(97 + i // 26)}{chr(97 + i % 26)}' "
        f"bus='virtio'/></disk>"
        for i in range((devices + 1) // 2)
    )
    nics = "".join(
        f"<interface type='network'><source network='default'/><mac address='52:54:00:00:01:{i:02x}'/>"
        f"<model type='virtio'/></interface>"
        for i in range(devices // 2)
    )
    return (
        f"<domain type='kvm'><name>{name}</name><memory unit='MiB'>2048</memory><vcpu>2</vcpu>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/><apic/></features>"
        f"<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{disks}{nics}</devices></domain>"
    )


# -- the data (run in a child process with the server's environment) -----------------------------


def setup_data(password: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from builder.domainxml.assemble import split
    from builder.domainxml.parse import parse_domain
    from builder.library.models import DeviceSlot, DomainTemplate

    call_command("migrate", verbosity=0)
    call_command("load_starter", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    get_user_model().objects.create_superuser(USERNAME, password=password)
    template_xml, devices = split(parse_domain(domain_xml(20, "preview20")).root)
    template = DomainTemplate.objects.create(name="preview20", xml=template_xml)
    DeviceSlot.objects.bulk_create(DeviceSlot(template=template, position=i, xml=x) for i, x in enumerate(devices))
    return {"template": template.pk, "templates": DomainTemplate.objects.count()}


# -- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(env: dict, port: int, log: Path):
    """`make serve` on 127.0.0.1:`port`; stopped at the end."""
    cmd, how = ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"], "make serve"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{how} exited {proc.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{how} not listening on {port} after 120 s")
            time.sleep(0.2)
        say(f"server: {how} on 127.0.0.1:{port}")
        yield how
    finally:
        # The process group this started (make, gunicorn's arbiter and its workers), and nothing else.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- a logged-in person, and wrk -------------------------------------------------------------


class Session:
    def __init__(self, base: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=30) as r:
            return r.read()

    def post(self, path: str, data) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, body, headers={"X-CSRFToken": self.cookie("csrftoken")})
        with self.opener.open(request, timeout=30) as r:
            return r.status, r.read()

    def login(self, password: str) -> None:
        import lxml.html

        page = lxml.html.fromstring(self.get("/accounts/login/"))
        token = page.xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
        self.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": USERNAME, "password": password})
        self.cookie("sessionid")  # StopIteration when the login failed


def editor_form(session: Session, pk: int) -> dict[str, list[tuple[str, str]]]:
    """The preview's body with vCPUs typed over: as the page's script sends it (the typed part
    only, tests/helpers.as_the_page_sends), and the whole form as a browser without it would."""
    import lxml.html

    from tests.helpers import as_the_page_sends, form_values

    form = lxml.html.fromstring(session.get(f"/templates/{pk}/")).get_element_by_id("editor-form")
    shown = form_values(form)  # as a browser sends it (with the empty fields lxml's own leaves out)
    assert "resources-vcpu" in shown, "no vCPU field in the editor form"
    typed = {**shown, "resources-vcpu": ["4"]}
    bodies = {"preview": as_the_page_sends(typed, shown), "preview_whole": typed}
    return {key: [(k, v) for k, values in data.items() for v in values] for key, data in bodies.items()}


def preview_text(answer: bytes) -> str:
    import lxml.html

    return lxml.html.fragment_fromstring(answer, create_parent="div").get_element_by_id("xml-preview").text_content()


def wrk(url: str, env: dict, duration: int, connections: int) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA), url]
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"wrk exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line[len("BENCH ") :])
    result["errors_total"] = sum(result["errors"].values()) + result["not_200"] - result["errors"]["status"]
    result["rps"] = result["requests"] / result["duration_s"]
    return result


# -- the run ------------------------------------------------------------------------------------


@contextlib.contextmanager
def database(tmp: Path):
    """(DATABASE_URL, engine name) of a fresh database for this run; dropped at the end."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / 'bench.sqlite3'}", "SQLite"
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    own = urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    admin = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        version = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    try:
        yield own, f"PostgreSQL {version}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")  # the server has stopped


def run(duration: int, connections: int) -> dict:
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, database(Path(tmp)) as (url, engine):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTPS": "false",
            "DJANGO_SETTINGS_MODULE": "builder.settings",
            "PYTHONPATH": str(ROOT),
        }
        say(f"{engine}: migrate, starter library, 20-device template...")
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench_load", "setup", password],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"setup failed:\n{done.stdout}\n{done.stderr[-3000:]}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with server(env, port, Path(tmp) / "server.log") as how:
            session = Session(base)
            session.login(password)
            pk = data["template"]
            bodies = editor_form(session, pk)
            cookie = f"sessionid={session.cookie('sessionid')}; csrftoken={session.cookie('csrftoken')}"
            lua = {"BENCH_COOKIE": cookie, "BENCH_CSRF": session.cookie("csrftoken")}
            results = {}
            for key, form in bodies.items():
                status, shown = session.post(f"/templates/{pk}/preview/", form)
                assert status == 200 and "<vcpu>4</vcpu>" in preview_text(shown), f"{key}: the change is not shown"
                body = Path(tmp) / f"{key}.body"
                body.write_text(urllib.parse.urlencode(form))
                say(f"{engine}: {key}, {connections} clients for {duration} s...")
                results[key] = wrk(
                    f"{base}/templates/{pk}/preview/",
                    {**lua, "BENCH_METHOD": "POST", "BENCH_BODY_FILE": str(body), "BENCH_HTMX": "1"},
                    duration,
                    connections,
                )
            say(f"{engine}: library page, {connections} clients for {duration} s...")
            results["library"] = wrk(f"{base}/", {**lua, "BENCH_METHOD": "GET"}, duration, connections)
        return {"engine": engine, "server": how, "templates": data["templates"], **results}


def main(argv: list[str]) -> int:
    if argv[:1] == ["setup"]:
        print(json.dumps(setup_data(argv[1])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=20)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        say("wrk not found: `make bench` installs Debian's wrk")
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the server and drop the database
    print("BENCHLOAD " + json.dumps(run(args.duration, args.connections)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
