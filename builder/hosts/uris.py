"""Which libvirt URIs a host may have: a short list of drivers and transports, nothing that runs a
program, names a socket or file of its own, or carries a secret.

libvirt's own authentication is the place for credentials: SSH keys in the server account's
~/.ssh, TLS certificates under /etc/pki, SASL passwords in libvirt's auth.conf. A URI that holds a
password or a key path is refused rather than stored.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

DRIVERS = ("qemu", "xen", "lxc")
# "" is a local connection (libvirt's own socket); tcp is plain text unless SASL protects it.
TRANSPORTS = ("", "ssh", "tls", "tcp")
# The paths each driver's daemon answers on; anything else would name a socket or a file.
PATHS = {"qemu": ("/system", "/session"), "xen": ("", "/", "/system"), "lxc": ("", "/", "/system")}
# Query parameters that neither name a path nor run a program, with the values they may take.
QUERY = {"no_verify": ("0", "1"), "mode": ("auto", "legacy", "direct"), "proxy": ("auto", "native")}
TEST_URI = "test:///default"


class BadUri(ValueError):
    """The message says what is wrong; it never repeats a password or a query value."""


def check_uri(uri: str) -> None:
    """Raise BadUri unless `uri` is one the builder may connect to."""
    uri = (uri or "").strip()
    if uri == TEST_URI:
        return
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise BadUri("this is not a URI libvirt can read") from None
    driver, _, transport = parts.scheme.partition("+")
    if driver == "test":
        raise BadUri(f"the test driver is allowed only as {TEST_URI} (another path reads a file on the server)")
    if driver not in DRIVERS:
        raise BadUri(f"the driver {driver or '(none)'!r} is not one of {', '.join(DRIVERS)} (or {TEST_URI})")
    if transport not in TRANSPORTS:
        allowed = ", ".join(f"{driver}+{t}" if t else driver for t in TRANSPORTS)
        raise BadUri(
            f"the transport {transport!r} is not allowed (it may run a program or open a socket): use {allowed}"
        )
    if parts.password is not None:
        raise BadUri("a password in the URI would be stored in clear text: use libvirt's auth.conf or SSH keys")
    if transport and not parts.hostname:
        raise BadUri(f"{driver}+{transport} needs a host name")
    if not transport and (parts.hostname or port):
        raise BadUri(f"a local {driver} connection names no host: use {driver}+ssh or {driver}+tls for another one")
    if transport == "tcp" and not parts.username:
        raise BadUri(
            f"{driver}+tcp sends everything in clear unless SASL protects it: give the SASL user "
            f"({driver}+tcp://user@host/system), with its password in libvirt's auth.conf on this server"
        )
    if parts.path not in PATHS[driver]:
        raise BadUri(
            f"the path must be one of libvirt's own for {driver}: {', '.join(p or '(empty)' for p in PATHS[driver])}"
        )
    if parts.fragment:
        raise BadUri("a URI with a #fragment is not one libvirt reads")
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in QUERY:
            raise BadUri(
                f"the parameter {key!r} is not allowed (it names a file or socket, runs a program, or holds "
                f"a secret); allowed: {', '.join(QUERY)}"
            )
        if value not in QUERY[key]:
            raise BadUri(f"{key} may only be {' or '.join(QUERY[key])}")


def is_allowed(uri: str) -> bool:
    try:
        check_uri(uri)
    except BadUri:
        return False
    return True
