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
