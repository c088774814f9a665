"""Is a domain something libvirt will take as written? Its own schema, then the rules it misses.

(a) libvirt's RelaxNG schema (domain.rng of the installed libvirt), loaded once per folder.
    Its own messages rarely name the culprit ("Extra element devices in interleave"), so a
    failing document is narrowed down by taking parts out of a copy until it validates: the
    part whose removal makes it valid is the one to report, with its path and line (the
    search is in schema_culprit).
(b) Semantic checks for what the schema lets through but libvirt then rejects or silently
    changes at define time (see FACTS.md).
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from . import dependent
from .elements import DEVICES, SECTIONS, Boot, Input, Resources
from .elements.chardev import CharDevice
from .elements.resources import to_bytes
from .fields import Ignored, Rejected
from .lru import Kept
from .schema_culprit import OutOfTime, culprit, describe

DEFAULT_SCHEMA_DIR = "/usr/share/libvirt/schemas"
MAX_LOCATED = 8  # schema problems narrowed down per document; the rest are summarised
MAX_SECONDS = 2.0  # time spent narrowing down per document, whatever its size


@dataclass(frozen=True)
class Problem:
    level: str  # "error": libvirt rejects or silently changes it; "warning": worth knowing
    message: str
    path: str = ""  # XPath of the element concerned, e.g. /domain/devices/interface[1]
    line: int | None = None
    field: str = ""  # the declared field's key ("Interface.mac", Field.key) when one is concerned, for the editor

    def __str__(self) -> str:
        where = self.path + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.message}" if where else self.message


class SchemaUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=4)
def load_schema(schema_dir: str = DEFAULT_SCHEMA_DIR) -> etree.RelaxNG:
    path = Path(schema_dir) / "domain.rng"
    if not path.exists():
        raise SchemaUnavailable(
            f"libvirt's schema is not installed ({path} is missing); install libvirt's schemas "
            "(Debian: libvirt-clients / libvirt0) or set LIBVIRT_SCHEMA_DIR"
        )
    return etree.RelaxNG(etree.parse(str(path)))


def validate(root: etree._Element, schema_dir: str = DEFAULT_SCHEMA_DIR) -> list[Problem]:
    """All problems of a domain: schema first, then semantics, each in document order.

    Where a semantic check explains the very element the schema refused (a multicast MAC),
    only the check's clearer message is kept.
    """
    semantic = semantic_problems(root)
    explained = {p.path for p in semantic if p.level == "error"}  # an element, not one attribute of it
    schema = [p for p in schema_problems(root, load_schema(schema_dir)) if p.path not in explained]
    return schema + semantic


def has_errors(problems: list[Problem]) -> bool:
    return any(p.level == "error" for p in problems)


# -- (a) the schema -----------------------------------------------------------------------


def schema_problems(root: etree._Element, schema: etree.RelaxNG, budget: float = MAX_SECONDS) -> list[Problem]:
    """Schema problems, each narrowed down to the element or attribute at fault where possible.

    The domain is checked without its devices first, then each device alone in that skeleton,
    so the work grows with the number of devices, not with its square.
    """
    if schema.validate(root):
        return []
    work = copy.deepcopy(root)
    original = dict(zip(work.iter(), root.iter(), strict=True))
    deadline = time.monotonic() + budget
    container = work.find("devices")
    devices = [c for c in container if isinstance(c.tag, str)] if container is not None else []
    for dev in devices:
        container.remove(dev)
    problems = _narrow_all(work, schema, original, deadline, MAX_LOCATED)
    skeleton_ok = schema.validate(work)
    if skeleton_ok:
        for dev in devices:
            if len(problems) >= MAX_LOCATED or time.monotonic() > deadline:
                break
            container.append(dev)
            problems += _narrow_all(work, schema, original, deadline, MAX_LOCATED - len(problems))
            if dev.getparent() is container:
                container.remove(dev)
    if len(problems) >= MAX_LOCATED:
        return [*problems, Problem("error", f"more schema problems not listed (stopped after {MAX_LOCATED})")]
    if problems and skeleton_ok:
        return problems
    # Not narrowed down (something required is missing, or out of budget): say what lxml says.
    problems.extend(_missing_required(root))
    schema.validate(root)
    seen = set()
    for entry in schema.error_log:
        if entry.message not in seen:
            seen.add(entry.message)
            problems.append(
                Problem("error", f"libvirt's schema: {entry.message}", entry.path or "", entry.line or None)
            )
    return problems


def _narrow_all(work, schema, original, deadline, limit) -> list[Problem]:
    """Find, report and take out culprits of `work` one at a time until it validates.

    A scratch tree: when time runs out in the middle, it is left as it is and not used again.
    """
    problems = []
    while len(problems) < limit and not schema.validate(work):
        try:
            found = culprit(work, schema, deadline)
        except OutOfTime:
            break
        if found is None:
            break
        el, attr = found
        orig = original[el]
        path = orig.getroottree().getpath(orig) + (f"/@{attr}" if attr else "")
        problems.append(Problem("error", describe(el, attr), path, orig.sourceline or None))
        if attr is not None:
            del el.attrib[attr]
        else:
            el.getparent().remove(el)
    return problems


def _missing_required(root: etree._Element) -> Iterator[Problem]:
    for cls in SECTIONS:
        for f in cls.fields.values():
            if f.required and not f.read(root):
                yield Problem("error", f"{f.label} is required ({f.path})", "/domain", None, f.key)


# -- (b) what the schema lets through -------------------------------------------------------

Check = Callable[[etree._Element], Iterator[Problem]]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def semantic_problems(root: etree._Element) -> list[Problem]:
    token = _read.set({})  # each element's values are read once per pass, whatever check asks
    try:
        return [p for fn in CHECKS for p in fn(root)]
    finally:
        _read.reset(token)


_read: ContextVar[dict | None] = ContextVar("validate_read_values", default=None)


@dataclass
class _Read:
    """What a declaration reads in an element and, once asked, what the checks make of it."""

    values: dict
    verdicts: list | None = None  # (field, level, reason) for each value refused or replaced
    missing: list | None = None  # the fields required here that have no value


def _reading(node: etree._Element, cls) -> _Read:
    """What `cls` reads in `node`, remembered for the rest of this validation pass (read-only)."""
    cache = _read.get()
    if cache is None:
        return _Read(cls(node).raw_values())
    # The element itself, not id(): lxml makes a new proxy object each time an element is reached,
    # and a freed proxy's id is soon another element's. Held here, the proxy lives for the pass.
    key = (node, cls)
    if key not in cache:
        # A device is remembered by its text; <domain> itself (the sections) changes on every keystroke.
        cache[key] = _device_reading(node, cls) if node.getparent() is not None else _Read(cls(node).raw_values())
    return cache[key]


# A device's reading by its exact text, across passes: the preview checks the whole domain on every
# keystroke, and all its devices but the one being typed in are as they were the time before.
# Values are read from the subtree alone, so equal text means equal values and verdicts.
_DEVICE_READINGS: Kept[_Read] = Kept(4096)


def _device_reading(node: etree._Element, cls) -> _Read:
    key = (cls, etree.tostring(node, with_tail=False))
    return _DEVICE_READINGS.get(key, lambda: _Read(cls(node).raw_values()))


def _at(el: etree._Element, level: str, message: str, field: str = "") -> Problem:
    return Problem(level, message, el.getroottree().getpath(el), el.sourceline or None, field)


def _views(root):
    """(node, declaration) for <domain>'s parts and each declared device."""
    for cls in SECTIONS:
        yield root, cls
    devices = root.find("devices")
    for node in devices if devices is not None else ():
        cls = DEVICES.get(node.tag) if isinstance(node.tag, str) else None
        if cls is not None:
            yield node, cls


@check
def declared_values(root):
    """Each value that libvirt refuses or silently replaces, by the converter the field declares.

    The rule lives once, in the converter: forms refuse the value, import and validation say why.
    """
    for node, cls in _views(root):
        reading = _reading(node, cls)
        if reading.verdicts is None:  # a device seen before (by its text) has them already
            reading.verdicts = _verdicts(cls, reading.values)
        for f, level, reason in reading.verdicts:
            yield _at(f._node(node) if f.steps else node, level, f"{f.label}: {reason}", f.key)


def _verdicts(cls, values: dict) -> list[tuple]:
    found = []
    for f in cls.fields.values():
        value = values[f.name]
        if f.readonly or value in (None, "", []) or not f.relevant(values):
            continue
        for one in value if isinstance(value, list) else [value]:
            verdict = _verdict(f, one)
            if verdict is not None:
                found.append((f, *verdict))
    return found


@check
def machine_and_firmware_fit(root):
    """IDE on q35, secure boot without q35 or SMM, a CRB TPM on pc: libvirt or QEMU refuses them."""
    for el, field, message in dependent.problems(root):
        yield _at(el, "error", message, field)


@check
def current_memory_within_memory(root):
    mem, cur = root.find("memory"), root.find("currentMemory")
    if mem is None or cur is None:
        return
    try:
        m, c = to_bytes(mem.text.strip(), mem.get("unit")), to_bytes(cur.text.strip(), cur.get("unit"))
    except (ValueError, AttributeError):
        return  # not numbers: the schema reports it
    if c > m:
        yield _at(
            cur,
            "error",
            "current memory is larger than the maximum memory; libvirt would silently lower it to the maximum",
            Resources.fields["current_memory"].key,
        )


@check
def boot_order_styles_exclusive(root):
    os_boots = root.findall("os/boot")
    per_device = root.findall("devices/*/boot[@order]")
    if os_boots and per_device:
        yield _at(
            per_device[0].getparent(),
            "error",
            "<os><boot dev=...> and a per-device <boot order=...> cannot be combined; libvirt rejects it. "
            "Use one style",
            Boot.fields["boot_devices"].key,
        )


@check
def bootloader_drops_boot_order(root):
    if root.find("bootloader") is not None and root.find("os/boot") is not None:
        yield _at(
            root.find("os/boot"),
            "warning",
            "with a host bootloader, libvirt silently drops the <os><boot> entries",
            Boot.fields["boot_devices"].key,
        )


@check
def char_ports_count_from_zero(root):
    devices = root.find("devices")
    if devices is None:
        return
    for tag in ("serial", "parallel"):
        ports: dict[str, etree._Element] = {}
        for dev in devices.iterfind(tag):
            port = dev.get("port") or (dev.find("target").get("port") if dev.find("target") is not None else None)
            if port is None:
                continue
            if port in ports:
                yield _at(dev, "warning", f"two {tag} devices use port {port}", CharDevice.fields["target_port"].key)
            ports[port] = dev
        numbers = sorted(int(p) for p in ports if p.isdigit())
        if numbers and numbers[0] >= 1:
            yield _at(
                ports[str(numbers[0])],
                "warning",
                f"{tag} ports count from 0 (port 0 is the first, ttyS0 for serial); this guest has no port 0",
                CharDevice.fields["target_port"].key,
            )


@check
def input_bus_fits_guest(root):
    os_type = (root.findtext("os/type") or "").strip()
    for inp in root.iterfind("devices/input"):
        bus = inp.get("bus")
        if bus == "xen" and os_type == "hvm":
            yield _at(
                inp,
                "error",
                "bus 'xen' is only for Xen paravirtualized guests; use ps2 or usb on an hvm guest",
                Input.fields["bus"].key,
            )
        elif bus in ("ps2", "usb") and os_type in ("linux", "xen"):
            yield _at(
                inp,
                "error",
                f"bus '{bus}' is not available on a Xen paravirtualized guest; use xen",
                Input.fields["bus"].key,
            )


@functools.cache
def _may_be_required(cls) -> tuple:
    """The fields of a declaration that are required always or for some values (declarations are fixed)."""
    return tuple(f for f in cls.fields.values() if f.required or f.required_when)


@functools.lru_cache(maxsize=4096)
def _verdict(f, value: str) -> tuple[str, str] | None:
    """f.clean(value) as ("error"|"warning", reason), or None when accepted: the converters are
    pure, and a guest repeats the same values (bus 'virtio', format 'qcow2') on many devices."""
    try:
        f.clean(value)
    except Rejected as e:
        return "error", str(e)
    except Ignored as e:
        return "warning", str(e)
    except ValueError:
        return None  # stricter than libvirt: only forms refuse it
    return None


@check
def required_device_fields(root):
    for node, cls in _views(root):
        if node is root:
            continue
        reading = _reading(node, cls)
        if reading.missing is None:  # a device seen before (by its text) has them already
            values = reading.values
            reading.missing = [f for f in _may_be_required(cls) if f.is_required(values) and not values[f.name]]
        for f in reading.missing:
            yield _at(node, "error", f"{cls.label}: {f.label} is required here; libvirt refuses it without", f.key)
