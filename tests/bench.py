"""`make bench`: the engine's speed over the corpus and on a 100-device template.

Runs against a private in-memory SQLite database; prints each figure beside its target.
"""

import os
import statistics
import sys
import time

os.environ["DATABASE_URL"] = "sqlite:///:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from builder.domainxml import validate  # noqa: E402
from builder.domainxml.assemble import assemble, split  # noqa: E402
from builder.domainxml.parse import parse_domain  # noqa: E402
from builder.library import services  # noqa: E402
from builder.library.models import DeviceProfile, DeviceSlot, DomainTemplate  # noqa: E402
from tests.helpers import CORPUS  # noqa: E402

REPEAT = 7


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
    disks = "".join(
        f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        f"<source file='/var/lib/libvirt/images/d{i}.qcow2'/><target dev='vd{chr(97 + i // 26)}{chr(97 + i % 26)}' "
        f"bus='virtio'/></disk>"
        for i in range(50)
    )
    nics = "".join(
        f"<interface type='network'><source network='default'/><mac address='52:54:00:00:01:{i:02x}'/>"
        f"<model type='virtio'/></interface>"
        for i in range(50)
    )
    return (
        "<domain type='kvm'><name>bench100</name><memory unit='MiB'>2048</memory><vcpu>2</vcpu>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/><apic/></features>"
        f"<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{disks}{nics}</devices></domain>"
    )


def preview_request_ms(devices: list[str]) -> float:
    """The editor's live preview as the page posts it: every field of a 20-device template."""
    import lxml.html
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    template = DomainTemplate.objects.create(name="preview20", xml=split(parse_domain(hundred_device_domain()).root)[0])
    DeviceSlot.objects.bulk_create(DeviceSlot(template=template, position=i, xml=x) for i, x in enumerate(devices))
    client = Client()
    user, _ = get_user_model().objects.get_or_create(username="bench")
    client.force_login(user)
    page = lxml.html.fromstring(client.get(f"/templates/{template.pk}/").content)
    form = page.get_element_by_id("editor-form")
    data = {k: v for k, v in form.form_values()}
    data["resources-vcpu"] = "4"
    url = f"/templates/{template.pk}/preview/"

    def post():
        response = client.post(url, data)
        shown = lxml.html.fromstring(response.content).get_element_by_id("xml-preview").text_content()
        assert response.status_code == 200 and "<vcpu>4</vcpu>" in shown

    return timed(post)


def main() -> int:
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
        services.render_xml(template)
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
        root = services.render(template)
        problems = services.check(root)
        assert not validate.has_errors(problems), problems

    assemble_100 = timed(assemble_and_validate)
    preview_20 = preview_request_ms(devices[:10] + devices[50:60])
    assemble_only = timed(lambda: assemble(template_xml, devices))

    rows = [
        ("import, median per corpus document", ms(statistics.median(imports)), 15.0),
        ("import, slowest corpus document", ms(max(imports)), None),
        ("export, median per corpus document", ms(statistics.median(exports)), None),
        ("validation of a 100-device domain (schema + checks)", validate_100, None),
        ("100-device template from the database: assemble + validate", assemble_100, 10.0),
        ("  of which assembly alone (no database, no validation)", assemble_only, None),
        ("locating 2 faulty devices among 3,000 (schema narrowing)", locate_big, 1000.0),
        ("editor preview request, 20-device template (server time)", preview_20, 50.0),
    ]
    print(f"Domain Builder benchmark: {len(docs)} corpus documents, {os.cpu_count()} cores, median of {REPEAT} runs")
    failed = False
    for label, value, target in rows:
        verdict = ""
        if target is not None:
            met = value <= target
            failed |= not met
            verdict = f"target <= {target:g} ms: {'met' if met else 'NOT MET'}"
        print(f"{label:<62} {value:8.2f} ms  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
