import contextlib

import pytest

from tests.helpers import SCHEMA_DIR


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite each tests/data/*/*-out.xml with what the engine makes of its -in.xml",
    )


@pytest.fixture(scope="session")
def schema():
    from builder.domainxml.validate import load_schema

    return load_schema(SCHEMA_DIR)


@pytest.fixture(scope="session")
def test_driver():
    """libvirt's test driver (test:///default): a real libvirt that defines without a hypervisor."""
    import libvirt

    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open("test:///default")
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def qemu_uri(pytestconfig):
    """qemu:///system on a real libvirtd (installed and started when missing, see tests/libvirtd.py)."""
    from tests.libvirtd import running_libvirtd

    with running_libvirtd(pytestconfig) as uri:
        yield uri


@pytest.fixture
def define(test_driver):
    """Define XML on the test driver with validation; undefine afterwards. Returns libvirt's XML."""
    import libvirt

    made = []

    def _define(xml: str) -> str:
        dom = test_driver.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
        made.append(dom)
        return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)

    yield _define
    for dom in made:
        with contextlib.suppress(libvirt.libvirtError):
            dom.undefine()


def pytest_terminal_summary(terminalreporter):
    """Figures tests record with record_property("spec_tooltips", ...), shown whatever -s says."""
    labels = {
        "spec_tooltips": "the 2008 spec's fields drawn from libvirt's own copy",
        "spec_tooltips_modern": "the modern fields (cpu, firmware, controllers, ...) drawn from libvirt's own copy",
    }
    lines = {
        (name, value)
        for reports in terminalreporter.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name in labels
    }
    for name, line in sorted(lines):
        terminalreporter.write_line(f"spec tooltips: {labels[name]}: {line}")


@pytest.fixture(autouse=True)
def _fresh_tooltips():
    """Tooltips are cached per process; a test's rolled-back spec entries must not outlive it."""
    from builder.specdocs import tooltips

    tooltips.invalidate()


TEST_USERNAME = "tester"


def test_user():
    """The account the tests browse as (made once per test database state)."""
    from django.contrib.auth import get_user_model

    # A superuser, as the first account of an installation is: it acts as the owner of what
    # commands loaded without an owner (see builder.library.access).
    user, made = get_user_model().objects.get_or_create(
        username=TEST_USERNAME, defaults={"is_superuser": True, "is_staff": True}
    )
    if made:
        user.set_unusable_password()  # force_login needs none, and hashing one costs ~0.1 s a test
        user.save()
    return user


test_user.__test__ = False  # not a test, whatever its name


@pytest.fixture(autouse=True)
def _logged_in(request):
    """Every page needs a login: a test using `client` browses as `tester`.

    A test that logs in as someone else afterwards (force_login, login) simply replaces the
    session; `@pytest.mark.anonymous` keeps the client anonymous and makes no user.
    """
    if "client" not in request.fixturenames or request.node.get_closest_marker("anonymous"):
        return
    client = request.getfixturevalue("client")
    client.force_login(test_user())


# -- the things the tests edit: one fixture, one name, for each ------------------------------


@pytest.fixture
def imported():
    """virt-manager's bootorder-in.xml imported as a template (f30: 3 disks, a NIC, a USB controller)."""
    from builder.library import services
    from tests.editor_support import BOOTORDER

    return services.import_domain(BOOTORDER.read_bytes()).template


@pytest.fixture
def nic_slot(imported):
    """The slot of the imported template's interface."""
    from tests.editor_support import slots

    return next(s for s in slots(imported) if s.xml.lstrip().startswith("<interface"))


@pytest.fixture
def tablet():
    """A profile of a USB tablet."""
    from builder.library.models import DeviceProfile
    from tests.editor_support import TABLET

    return DeviceProfile.objects.create(name="Tablet", xml=TABLET)


@pytest.fixture
def disk_profile():
    """A profile of a qcow2 disk (vdb, /var/lib/libvirt/images/shared.qcow2)."""
    from builder.library.models import DeviceProfile
    from tests.editor_support import DISK

    return DeviceProfile.objects.create(name="Shared disk", description="for all", xml=DISK)


@pytest.fixture
def mixed(tablet):
    """A small valid guest: an own disk, an own NIC, a USB tablet linked to a profile."""
    from builder.library import editing

    template = editing.new_template("mixed")
    editing.add_device(template, kind="disk")
    editing.add_device(template, kind="interface")
    editing.add_device(template, profile=tablet)
    return template


@pytest.fixture
def parameterised(client, mixed):
    """disk_path declared with a default (through the editor's own form) and used in the disk's source."""
    import re

    from tests.editor_support import editor_page, press, raw_text

    response = press(
        client, editor_page(client, mixed), "Save parameters",
        edits={"param_name": "disk_path", "param_default": "/var/lib/libvirt/images/default.qcow2"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/templates/{mixed.pk}/#parameters"
    text = raw_text(client.get(f"/templates/{mixed.pk}/xml/"))
    text = re.sub(r"file='[^']*vda.qcow2'", "file='${disk_path}'", text)
    text = re.sub(r'file="[^"]*vda.qcow2"', 'file="${disk_path}"', text)
    assert "${disk_path}" in text
    assert client.post(f"/templates/{mixed.pk}/xml/", {"xml": text}).status_code == 302
    return mixed


# -- local servers that record or ignore what reaches them -----------------------------------


@pytest.fixture(scope="module")
def running_listener():
    from tests.servers import Listener

    with Listener() as server:
        yield server


@pytest.fixture
def listener(running_listener):
    """The module's Listener, its record of requests emptied for each test."""
    running_listener.requests.clear()
    return running_listener


# -- the permission matrices' people (tests/permission_support.py) ----------------------------


@pytest.fixture
def world():
    """The people, their teams, and an API token for each of them but the anonymous one."""
    from django.contrib.auth import get_user_model

    from builder.api.models import ApiToken
    from builder.library.models import Membership, Team
    from tests.permission_support import ACTORS

    users = {}
    make = get_user_model().objects.create_user
    for name in ACTORS[:-1]:
        users[name] = make(name)  # no password: force_login needs none, and hashing one is slow
    ops, dev = Team.objects.create(name="ops"), Team.objects.create(name="dev")
    Membership.objects.create(team=ops, user=users["owner"], role="editor")
    Membership.objects.create(team=ops, user=users["team_admin"], role="admin")
    Membership.objects.create(team=ops, user=users["team_editor"], role="editor")
    Membership.objects.create(team=ops, user=users["team_viewer"], role="viewer")
    Membership.objects.create(team=dev, user=users["other_team"], role="admin")
    tokens = {name: ApiToken.issue(user)[1] for name, user in users.items()}
    return {"users": users, "team": ops, "tokens": tokens}


# -- hosts (tests/host_support.py) ----------------------------------------------------------------


@pytest.fixture
def template():
    """tests.host_support.GUEST imported as a template (a module may have its own, as test_bundles does)."""
    from builder.library import services
    from tests.host_support import GUEST

    return services.import_domain(GUEST.encode()).template


@pytest.fixture
def test_host():
    """A host on libvirt's test driver (test:///default), which this process opens itself."""
    from builder.hosts.models import Host

    return Host.objects.create(name="sim", uri="test:///default")


# -- what hosts offer (tests/capabilities_support.py) -----------------------------------------------


@pytest.fixture(scope="module")
def qemu():
    """A QEMU/KVM host's offer: x86_64 (kvm with domain capabilities, qemu without) and aarch64."""
    from builder.hosts.host_offer import offer
    from tests.capabilities_support import KVM_PC, QEMU_AARCH64, QEMU_CAPS

    return offer(QEMU_CAPS, {"kvm x86_64": KVM_PC, "qemu x86_64": "", "qemu aarch64": QEMU_AARCH64})


@pytest.fixture(scope="module")
def test_offer():
    """The test driver's offer, from its real getCapabilities() (it has no domain capabilities)."""
    import libvirt

    from builder.hosts.host_offer import offer

    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open("test:///default")
    try:
        return offer(conn.getCapabilities(), {})
    finally:
        conn.close()


# -- the spec's two copies (tests/specdocs_support.py) --------------------------------------------


@pytest.fixture(scope="module")
def modern():
    """libvirt's own copy of formatdomain.html (Debian's libvirt-doc), parsed."""
    from builder.specpage import entries
    from tests.specdocs_support import LIBVIRT_SPEC

    return entries.parse_file(LIBVIRT_SPEC)


@pytest.fixture(scope="module")
def old():
    """The 2008 copy of formatdomain.html, parsed."""
    from builder.specpage import entries
    from tests.helpers import SPEC_2008

    return entries.parse_file(SPEC_2008)


@pytest.fixture
def both(db):
    """Both copies imported by import_spec_docs."""
    from tests.helpers import SPEC_2008
    from tests.specdocs_support import LIBVIRT_SPEC, run

    for path in (SPEC_2008, LIBVIRT_SPEC):
        assert run(str(path))[2] == 0


# -- the HTTP API's users and template (tests/api_support.py) --------------------------------------


@pytest.fixture
def ada():
    """A user with no password, no team and no token."""
    from tests.api_support import make_user

    return make_user("ada")


@pytest.fixture
def bea():
    """Another such user."""
    from tests.api_support import make_user

    return make_user("bea")


@pytest.fixture
def ada_token(ada):
    """ada's API token (read and write, never expiring), in plain text."""
    from tests.api_support import token_for

    return token_for(ada)


@pytest.fixture
def guest(ada):
    """ada's private template of tests.api_support.GUEST, its parameters guest and disk_path declared."""
    from tests.api_support import PARAMETERS, make_template

    return make_template(ada, params=PARAMETERS)
