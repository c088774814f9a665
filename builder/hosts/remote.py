"""The libvirt calls of a push, runnable in a process of their own.

`python -m builder.hosts.remote` reads one request as JSON on stdin ({"uri", "op", "args"}) and
writes one answer as JSON on stdout ({"ok": true, "value": ...} or {"ok": false, "error",
"code"}). The web process runs it with a timeout and kills it when the host does not answer, so a
slow or silent host costs one child process, never a blocked request or a hung worker.
libvirt's test driver keeps its guests in the process that opened it, so for test:/// URIs the
same functions run in the web process (`run_here`), on one cached connection.

This module imports nothing from Django: the child process starts in a few milliseconds.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import sys
import threading
import xml.etree.ElementTree as ET

STATES = {
    0: "no state",
    1: "running",
    2: "blocked",
    3: "paused",
    4: "shutting down",
    5: "shut off",
    6: "crashed",
    7: "suspended",
}


def _libvirt():
    import libvirt  # when asked: the app runs without libvirt-python and says pushing is off

    libvirt.registerErrorHandler(lambda *args: None, None)  # errors come back as exceptions, not on stderr
    return libvirt


def _domain(conn, uuid: str):
    return conn.lookupByUUIDString(uuid)


class Refused(Exception):
    """The builder will not do this on the host (the message names no other guest's uuid or owner)."""


def _find(libvirt, lookup, key):
    try:
        return lookup(key)
    except libvirt.libvirtError:
        return None


def _claim(conn, libvirt, xml: str, owned: list[str]) -> str:
    """The definition to send, if it creates a domain or redefines one in `owned` (uuids); else Refused.

    A domain of the same name without a <uuid> in the definition is the one being redefined: its
    uuid is written in, as libvirt would otherwise refuse the name as taken."""
    from lxml import etree  # here: only a define needs it, and the other calls' child starts faster without

    root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    name, uuid = (root.findtext("name") or "").strip(), (root.findtext("uuid") or "").strip()
    owned = {u.lower() for u in owned}
    by_name = _find(libvirt, conn.lookupByName, name) if name else None
    if by_name is not None and by_name.UUIDString().lower() not in owned:
        raise Refused(
            f"a domain named {name!r} already exists on this host and was not made by a push you may manage: "
            "choose another name"
        )
    by_uuid = _find(libvirt, conn.lookupByUUIDString, uuid) if uuid else None
    if by_uuid is not None and by_uuid.UUIDString().lower() not in owned:
        raise Refused(
            "this definition's <uuid> belongs to a domain on this host that was not made by a push you may "
            "manage: leave the uuid out or change it"
        )
    if by_name is not None and not uuid:
        node = etree.Element("uuid")
        node.text, node.tail = by_name.UUIDString(), root.find("name").tail
        root.find("name").addnext(node)
        return etree.tostring(root, encoding="unicode")
    return xml


def op_define(conn, libvirt, xml: str, start: bool = False, owned: list[str] | None = None) -> dict:
    sent = xml if owned is None else _claim(conn, libvirt, xml, owned)
    dom = conn.defineXMLFlags(sent, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
    out = {
        "name": dom.name(),
        "uuid": dom.UUIDString(),
        "returned": dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
        "sent": sent,
    }
    if start:
        try:
            dom.create()
        except libvirt.libvirtError as e:  # defined but not started: the caller records both
            out["start_error"] = e.get_error_message()
        out["state"] = STATES.get(dom.state()[0], "unknown")
    return out


def op_states(conn, libvirt, uuids: list[str]) -> dict:
    out = {}
    for uuid in uuids:
        try:
            dom = _domain(conn, uuid)
            out[uuid] = {"name": dom.name(), "state": STATES.get(dom.state()[0], "unknown")}
        except libvirt.libvirtError:
            out[uuid] = {"name": "", "state": "not on the host"}
    return out


def op_start(conn, libvirt, uuid: str) -> str:
    dom = _domain(conn, uuid)
    dom.create()
    return STATES.get(dom.state()[0], "unknown")


def op_destroy(conn, libvirt, uuid: str) -> str:
    dom = _domain(conn, uuid)
    dom.destroy()
    return STATES.get(dom.state()[0], "unknown")


def op_undefine(conn, libvirt, uuid: str) -> str:
    dom = _domain(conn, uuid)
    try:  # UEFI guests keep an NVRAM file, which a plain undefine refuses to leave behind
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
    except libvirt.libvirtError as e:
        if e.get_error_code() not in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_INVALID_ARG):
            raise
        dom.undefine()
    return "undefined"


def op_xml(conn, libvirt, uuid: str) -> str:
    return _domain(conn, uuid).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


def op_capabilities(conn, libvirt, combos: int = 8) -> dict:
    """getCapabilities(), and getDomainCapabilities() for the first guest types it lists."""
    caps = conn.getCapabilities()
    domain = {}
    seen = set()
    for guest in ET.fromstring(caps).findall("guest"):
        arch = guest.find("arch")
        if arch is None:
            continue
        for dom in arch.findall("domain"):
            key = f"{dom.get('type')} {arch.get('name')}"
            if key in seen or len(seen) >= combos:
                continue
            seen.add(key)
            try:
                domain[key] = conn.getDomainCapabilities(None, arch.get("name"), None, dom.get("type"), 0)
            except libvirt.libvirtError:
                domain[key] = ""  # the driver has none (the test driver), or not for this type
    return {"capabilities": caps, "domain": domain}


def op_pools(conn, libvirt) -> dict:
    """{pool name: its target path} of every pool, active or not ("" where a pool has no path)."""
    out = {}
    for pool in conn.listAllStoragePools(0):
        path = ET.fromstring(pool.XMLDesc(0)).findtext("target/path") or ""
        out[pool.name()] = path.strip()
    return out


OPS = {
    "define": op_define,
    "pools": op_pools,
    "states": op_states,
    "start": op_start,
    "destroy": op_destroy,
    "undefine": op_undefine,
    "xml": op_xml,
    "capabilities": op_capabilities,
}


def run(uri: str, op: str, args: dict, conn=None) -> dict:
    """One operation on a fresh (or the given) connection, as an answer dict; never raises."""
    try:
        libvirt = _libvirt()
    except ImportError:
        return {"ok": False, "error": "libvirt-python is not installed", "code": -1}
    try:
        own = conn is None
        if own:
            conn = libvirt.open(uri)
        try:
            return {"ok": True, "value": OPS[op](conn, libvirt, **args)}
        finally:
            if own:
                conn.close()
    except libvirt.libvirtError as e:
        return {"ok": False, "error": e.get_error_message() or str(e), "code": e.get_error_code()}
    except Refused as e:
        return {"ok": False, "error": str(e), "code": "refused"}


_here: dict[str, object] = {}
_here_lock = threading.Lock()


@atexit.register
def _close_here() -> None:
    with _here_lock:
        for conn in _here.values():
            with contextlib.suppress(Exception):  # closing at exit: nothing left to tell
                conn.close()
        _here.clear()


def run_here(uri: str, op: str, args: dict) -> dict:
    """For the test driver: in this process, on a connection kept for its lifetime."""
    with _here_lock:
        conn = _here.get(uri)
        if conn is None:
            try:
                conn = _here[uri] = _libvirt().open(uri)
            except ImportError:
                return {"ok": False, "error": "libvirt-python is not installed", "code": -1}
            except Exception as e:  # libvirtError, without importing libvirt at module level
                return {
                    "ok": False,
                    "error": e.get_error_message() if hasattr(e, "get_error_message") else str(e),
                    "code": -1,
                }
        return run(uri, op, args, conn=conn)


def main() -> None:
    request = json.loads(sys.stdin.read())
    json.dump(run(request["uri"], request["op"], request.get("args", {})), sys.stdout)


if __name__ == "__main__":
    main()
