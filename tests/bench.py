"""`make bench`: the engine's speed, against virtinst, the library page at scale and the app server under load.

The engine figures and the library page run in this process against a private in-memory SQLite
database (the library page through Django's test client). virtinst runs in Debian's system
python3 (tests/bench_virtinst.py). The load figures run wrk against `make serve` with SQLite and
with PostgreSQL (tests/bench_load.py, tests/postgres.py). Debian's wrk and virtinst are installed
first when missing (as root). Prints one table: each figure, its comparison or target, met or not.

BENCH_DURATION (default 30) and BENCH_CLIENTS (default 20) change the load runs.
"""

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ["DATABASE_URL"] = "sqlite:///:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from builder.domainxml import validate  # noqa: E402
from builder.domainxml.assemble import assemble, split  # noqa: E402
from builder.domainxml.parse import parse_domain  # noqa: E402
from builder.library import rendering, services  # noqa: E402
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate  # noqa: E402
from tests.bench_load import domain_xml  # noqa: E402
from tests.helpers import CORPUS, as_the_page_sends, form_values  # noqa: E402

REPEAT = 7
ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"
DEBIAN_PACKAGES = ("wrk", "virtinst")  # virtinst brings python3-libvirt
DURATION = int(os.environ.get("BENCH_DURATION", "30"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))


def ms(seconds: float) -> float:
    return seconds * 1000


def timed(fn, repeat=REPEAT) -> float:
    """Median wall time of fn() in ms over `repeat` runs, after one warm-up run."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return ms(statistics.median(runs))


def hundred_device_domain() -> str:
    """50 virtio qcow2 disks and 50 virtio NICs (the domain tests/bench_virtinst.py builds for 100)."""
    return domain_xml(100, "bench100")


def preview_request_ms(devices: list[str]) -> dict[str, float]:
    """The editor's live preview of a 20-device template with vCPUs typed over, server time: as the
    page's script sends it (the typed part only), and as the whole form."""
    import lxml.html
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # once: the library page's figures use the test client after this
    template = DomainTemplate.objects.create(name="preview20", xml=split(parse_domain(hundred_device_domain()).root)[0])
    DeviceSlot.objects.bulk_create(DeviceSlot(template=template, position=i, xml=x) for i, x in enumerate(devices))
    client = Client()
    user, _ = get_user_model().objects.get_or_create(username="bench")
    client.force_login(user)
    page = lxml.html.fromstring(client.get(f"/templates/{template.pk}/").content)
    shown = form_values(page.get_element_by_id("editor-form"))  # as a browser sends it
    typed = {**shown, "resources-vcpu": ["4"]}
    url = f"/templates/{template.pk}/preview/"

    def post(data):
        response = client.post(url, data)
        shown = lxml.html.fromstring(response.content).get_element_by_id("xml-preview").text_content()
        assert response.status_code == 200 and "<vcpu>4</vcpu>" in shown

    page_sends = as_the_page_sends(typed, shown)
    return {"page": timed(lambda: post(page_sends)), "whole": timed(lambda: post(typed))}


def say(line: str) -> None:
    print(f"bench: {line}", file=sys.stderr, flush=True)


def ensure_debian_packages() -> list[str]:
    """Installs Debian's wrk and virtinst when missing (as root, non-interactively); returns what is still missing."""

    def missing() -> list[str]:
        out = []
        for p in DEBIAN_PACKAGES:
            done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True, check=False)
            if not done.stdout.endswith("ok installed"):
                out.append(p)
        return out

    try:
        wanted = missing()
    except FileNotFoundError:
        return list(DEBIAN_PACKAGES)  # no dpkg: not Debian
    if not wanted or os.geteuid() != 0:
        return wanted
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", *wanted]
    say(f"installing Debian's {' '.join(wanted)}...")
    if subprocess.run(cmd, env=env, capture_output=True, check=False).returncode:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        subprocess.run(cmd, env=env, capture_output=True, check=False)
    return missing()


def db_template(name: str, devices: int) -> DomainTemplate:
    """A template of `devices` devices in the database: even positions linked to profiles, odd ones own XML."""
    template_xml, xmls = split(parse_domain(domain_xml(devices, name)).root)
    with transaction.atomic():
        template = DomainTemplate.objects.create(name=name, xml=template_xml)
        slots = []
        for i, x in enumerate(xmls):
            if i % 2 == 0:
                slots.append(
                    DeviceSlot(
                        template=template, position=i, profile=DeviceProfile.objects.create(name=f"{name}-{i}", xml=x)
                    )
                )
            else:
                slots.append(DeviceSlot(template=template, position=i, xml=x))
        DeviceSlot.objects.bulk_create(slots)
    return template


def against_virtinst(counts=(1, 10, 100)) -> tuple[dict, str | None]:
    """{n: (ours ms, virtinst ms or None)}, and why virtinst was not measured."""
    ours = {}
    for n in counts:
        template = db_template(f"vs-virtinst-{n}", n)

        def assemble_and_validate(template=template):
            root = rendering.render(template)
            problems = services.check(root)
            assert not validate.has_errors(problems), problems

        ours[n] = timed(assemble_and_validate)
    script = ROOT / "tests" / "bench_virtinst.py"
    cmd = [SYSTEM_PYTHON, str(script), *map(str, counts)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {n: (ours[n], None) for n in counts}, str(e)
    if done.returncode:
        return {n: (ours[n], None) for n in counts}, (done.stderr.strip().splitlines() or ["no output"])[-1]
    theirs = json.loads(done.stdout)
    against_virtinst.version = theirs.get("virtinst")
    return {n: (ours[n], theirs[str(n)]["median_ms"]) for n in counts}, None


def library_at_scale(templates=1000, profiles=10000, requests=100) -> dict:
    """The library page with 10,000 profiles and 1,000 templates, through Django's test client."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from tests.bench_library import populate

    viewer, _ = get_user_model().objects.get_or_create(username="bench")
    populate(viewer, templates, profiles, prefix="scale ")
    client = Client()
    client.force_login(viewer)
    results = {}
    for label, params, headers in [
        ("first page", {}, {}),
        ("htmx search, page 3", {"q": "scale", "kind": "disk", "tpage": "3", "ppage": "3"}, {"HX-Request": "true"}),
    ]:
        queries = []  # counted by hand: DEBUG's query log is reset at each request
        with connection.execute_wrapper(
            lambda execute, sql, *args, queries=queries: queries.append(sql) or execute(sql, *args)
        ):
            assert client.get("/", params, headers=headers).status_code == 200
        runs = []
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get("/", params, headers=headers)
            runs.append(time.perf_counter() - t)
            assert response.status_code == 200
        runs.sort()
        results[label] = {
            "p50": ms(runs[len(runs) // 2]),
            "p95": ms(runs[math.ceil(0.95 * len(runs)) - 1]),
            "queries": len(queries),
        }
    return results


def under_load(engine: str) -> dict | str:
    """tests/bench_load.py's figures with SQLite or PostgreSQL, or why they are missing."""
    cmd = [sys.executable, "-m", "tests.bench_load", "run", "--duration", str(DURATION), "--connections", str(CLIENTS)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if engine == "postgres":
        cmd = [sys.executable, "-m", "tests.postgres", *cmd]
    say(f"load: {CLIENTS} clients for {DURATION} s per request against make serve, {engine}...")
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHLOAD ")), None)
    if done.returncode or line is None:
        return f"failed (exit {done.returncode}), see the messages above"
    return json.loads(line[len("BENCHLOAD ") :])


def machine() -> str:
    import django

    parts = [f"{os.cpu_count()} cores"]
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    if model:
        parts[0] += f" ({model})"
    try:
        os_name = platform.freedesktop_os_release()["PRETTY_NAME"]
    except OSError:
        os_name = platform.platform()
    parts += [os_name, f"Python {platform.python_version()}", f"Django {django.get_version()}"]
    try:
        import libvirt

        v = libvirt.getVersion()
        parts.append(f"libvirt {v // 1000000}.{v // 1000 % 1000}.{v % 1000}")
    except Exception:
        pass
    return ", ".join(parts)


class Table:
    def __init__(self):
        self.rows, self.failed = [], False

    def add(self, label: str, value: str, comparison: str = "", met: bool | None = None) -> None:
        if met is False:
            self.failed = True
        self.rows.append((label, value, comparison, {None: "", True: "met", False: "NOT MET"}[met]))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in self.rows if r[1]) for i in range(3)]
        for label, value, comparison, verdict in self.rows:
            if not value and not comparison:
                print(f"\n{label}")
                continue
            print(f"  {label:<{widths[0]}}  {value:>{widths[1]}}  {comparison:<{widths[2]}}  {verdict}".rstrip())


def main() -> int:
    started = time.perf_counter()
    still_missing = ensure_debian_packages()
    call_command("migrate", verbosity=0)
    schema = validate.load_schema(services.settings.LIBVIRT_SCHEMA_DIR)
    assert schema is not None
    docs = [p.read_bytes() for p in CORPUS]

    imports, exports, ids = [], [], []
    for data in docs:
        t = time.perf_counter()
        result = services.import_domain(data)
        imports.append(time.perf_counter() - t)
        ids.append(result.template.pk)
    for pk in ids:
        template = DomainTemplate.objects.get(pk=pk)
        t = time.perf_counter()
        rendering.render_xml(template)
        exports.append(time.perf_counter() - t)

    # A large domain (3,000 disks) with two faulty devices: locating both must stay linear.
    disks = [f"<disk type='file'><source file='/i{i}.img'/><target dev='vd{i}'/></disk>" for i in range(3000)]
    disks[7] = disks[7].replace("type='file'", "type='file' bogus='1'")
    disks[2500] = disks[2500].replace("</disk>", "<frob/></disk>")
    big = parse_domain(
        "<domain type='kvm'><name>big</name><memory>1024</memory><os><type>hvm</type></os>"
        f"<devices>{''.join(disks)}</devices></domain>"
    ).root
    locate_big = timed(lambda: validate.validate(big), repeat=3)

    xml100 = hundred_device_domain()
    root100 = parse_domain(xml100).root
    validate_100 = timed(lambda: validate.validate(root100))

    # A 100-device template in the database: half the devices linked to profiles, half own XML.
    template_xml, devices = split(root100)
    with transaction.atomic():
        template = DomainTemplate.objects.create(name="bench100", xml=template_xml)
        profiles = [DeviceProfile.objects.create(name=f"p{i}", xml=x) for i, x in enumerate(devices[:50])]
        DeviceSlot.objects.bulk_create(
            [DeviceSlot(template=template, position=i, profile=p) for i, p in enumerate(profiles)]
            + [DeviceSlot(template=template, position=50 + i, xml=x) for i, x in enumerate(devices[50:])]
        )

    def assemble_and_validate():
        root = rendering.render(template)
        problems = services.check(root)
        assert not validate.has_errors(problems), problems

    assemble_100 = timed(assemble_and_validate)
    preview_20 = preview_request_ms(devices[:10] + devices[50:60])
    assemble_only = timed(lambda: assemble(template_xml, devices))

    say("assemble + validate against virtinst...")
    versus, virtinst_problem = against_virtinst()
    say("the library page with 10,000 profiles and 1,000 templates...")
    scale = library_at_scale()
    load = {engine: under_load(engine) for engine in ("sqlite", "postgres")}

    table = Table()
    table.add(f"Engine ({len(docs)} corpus documents, median of {REPEAT} runs, in process)", "")
    for label, value, target in [
        ("import, median per corpus document", ms(statistics.median(imports)), 15.0),
        ("import, slowest corpus document", ms(max(imports)), None),
        ("export, median per corpus document", ms(statistics.median(exports)), None),
        ("validation of a 100-device domain (schema + checks)", validate_100, None),
        ("100-device template from the database: assemble + validate", assemble_100, 10.0),
        ("  of which assembly alone (no database, no validation)", assemble_only, None),
        ("locating 2 faulty devices among 3,000 (schema narrowing)", locate_big, 1000.0),
        ("editor preview request, 20-device template, as the page sends it (server time)", preview_20["page"], 50.0),
        ("  the same with the whole form posted (a browser without the page's script)", preview_20["whole"], None),
    ]:
        table.add(
            label,
            f"{value:.2f} ms",
            f"target <= {target:g} ms" if target else "",
            None if target is None else value <= target,
        )

    version = getattr(against_virtinst, "version", None)
    table.add(f"Assemble + validate vs virtinst {version or ''} get_xml() (system python3, test:///default)", "")
    for n, (ours, theirs) in versus.items():
        what = f"{n} device{'s' if n > 1 else ''}: assemble + validate"
        if theirs is None:
            table.add(what, f"{ours:.2f} ms", f"virtinst not measured: {virtinst_problem}", False if n == 100 else None)
            continue
        ratio = theirs / ours
        comparison = f"virtinst {theirs:.2f} ms: {ratio:.1f}x faster" + ("; target >= 25x" if n == 100 else "")
        table.add(what, f"{ours:.2f} ms", comparison, (ratio >= 25) if n == 100 else None)

    table.add(
        "Library page, 10,000 profiles + 1,000 templates (Django test client, in-memory SQLite, 100 requests)", ""
    )
    for label, figures in scale.items():
        table.add(f"{label}: p50", f"{figures['p50']:.2f} ms")
        table.add(f"{label}: p95", f"{figures['p95']:.2f} ms", "target <= 100 ms", figures["p95"] <= 100)
        table.add(
            f"{label}: queries", f"{figures['queries']}", "the same as a small library (tests/test_library_scale.py)"
        )

    for engine, result in load.items():
        name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[engine]
        if isinstance(result, str):
            table.add(f"Under load, {name}: {result}", "")
            table.add("preview request p95", "-", "target <= 50 ms", False)
            continue
        table.add(f"Under load: {CLIENTS} clients x {DURATION} s, wrk, {result['server']}, {result['engine']}", "")
        for key, label in (
            ("preview", "preview (POST, 20-device template, as the page sends it)"),
            ("preview_whole", "preview with the whole form posted"),
            ("library", "library page (GET, starter library)"),
        ):
            r = result[key]
            table.add(f"{label}: p50", f"{r['p50_ms']:.1f} ms")
            table.add(
                f"{label}: p95",
                f"{r['p95_ms']:.1f} ms",
                "target <= 50 ms" if key == "preview" else "",
                r["p95_ms"] <= 50 if key == "preview" else None,
            )
            table.add(f"{label}: p99", f"{r['p99_ms']:.1f} ms")
            table.add(
                f"{label}: errors",
                f"{r['errors_total']}",
                f"of {r['requests']} ({r['rps']:.0f}/s); target 0",
                r["errors_total"] == 0,
            )

    print(f"\nDomain Builder benchmark on {machine()}" + (f", {version and 'virtinst ' + version}" if version else ""))
    if still_missing:
        print(f"missing Debian packages (install them as root): {' '.join(still_missing)}")
    table.print()
    verdict = "Every target met" if not table.failed else "Some targets NOT MET"
    print(f"\n{verdict}; {time.perf_counter() - started:.0f} s in all.")
    return 1 if table.failed else 0


if __name__ == "__main__":
    sys.exit(main())
