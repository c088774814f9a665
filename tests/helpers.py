"""Shared test helpers: the corpus, the golden pairs, and libvirt's test driver."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from builder.domainxml import compare
from builder.domainxml.assemble import device_class
from builder.domainxml.elements import SECTIONS
from builder.domainxml.parse import parse_domain

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = sorted((SHARED / "corpus").rglob("*.xml"))
FACTS = SHARED / "spec" / "FACTS.md"
SPEC_2008 = SHARED / "spec" / "formatdomain-2008.html"
DATA = Path(__file__).resolve().parent / "data"
SCHEMA_DIR = "/usr/share/libvirt/schemas"
STARTER = ROOT / "builder" / "library" / "starter" / "templates" / "xen-hvm-example.xml"


def golden_pairs() -> list[tuple[str, Path, Path]]:
    """(id, in, out) for every tests/data/<section>/<case>-in.xml with its -out.xml."""
    pairs = []
    for src in sorted(DATA.glob("*/*-in.xml")):
        out = src.with_name(src.name.replace("-in.xml", "-out.xml"))
        pairs.append((f"{src.parent.name}/{src.name[:-7]}", src, out))
    return pairs


def views(root: etree._Element):
    """Every declared view over a domain: its sections, then each known device, keyed for matching."""
    for cls in SECTIONS:
        yield cls.__name__, cls(root)
    counts: dict[str, int] = {}
    devices = root.find("devices")
    for node in devices if devices is not None else ():
        cls = device_class(node)
        if cls is not None:
            counts[node.tag] = counts.get(node.tag, 0) + 1
            yield f"{cls.__name__}[{counts[node.tag]}]", cls(node)


def apply_golden(src: Path, out: Path) -> tuple[etree._Element, etree._Element, list[str], list[str]]:
    """Read every declared value of `out`, write them onto `src`: (result, out, fields set, warnings).

    The pair itself is the edit: whatever differs between in and out must be reachable by
    writing declared fields, and writing them must give exactly `out`. The fields returned are
    those given a new non-empty value (not those only removed), as DeclaringClass.field.
    """
    parsed = parse_domain(src.read_bytes())
    want = etree.parse(str(out)).getroot()
    targets = dict(views(want))
    changed = []
    for key, view in views(parsed.root):
        if key not in targets:
            raise AssertionError(f"{out.name} has no {key} to compare with")
        values = targets[key].values()
        for name in view.apply(values):
            if values[name] not in (None, "", [], "no"):
                changed.append(view.fields[name].key)
    return parsed.root, want, changed, parsed.warnings


@functools.cache
def exercised_fields() -> frozenset[str]:
    """Fields some golden pair sets to a value; read-only fields count when some pair has a value."""
    names = set()
    for _, src, out in golden_pairs():
        names.update(apply_golden(src, out)[2])
        for _, view in views(parse_domain(src.read_bytes()).root):
            names.update(f.key for f in view.fields.values() if f.readonly and f.read(view.node))
    return frozenset(names)


def diff(a: etree._Element, b: etree._Element, reorder_top: bool = False) -> list[str]:
    return compare.differences(a, b, reorder_top=reorder_top)


def run_command(command: str, *args: str) -> tuple[str, str, int]:
    """(stdout, stderr, exit status) of a management command run in this process."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as e:
        err.write(f"CommandError: {e}\n")
        code = e.returncode
    except SystemExit as e:
        code = e.code
    return out.getvalue(), err.getvalue(), code


def form_values(form) -> dict[str, list[str]]:
    """What a browser sends for a form: enabled, named controls; checked boxes; selected options."""
    data: dict[str, list[str]] = {}
    for el in form.iter("input", "select", "textarea"):
        name = el.get("name")
        if not name or el.get("disabled") is not None:
            continue
        if el.tag == "textarea":
            value = el.text_content()
        elif el.tag == "select":
            options = list(el.iter("option"))
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            if not chosen:
                continue
            value = chosen[-1].get("value", chosen[-1].text_content())
        else:
            kind = (el.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio"):
                if el.get("checked") is None:
                    continue
                value = el.get("value", "on")
            else:
                value = el.get("value", "")
        data.setdefault(name, []).append(value)
    return data


def as_the_page_sends(typed: dict[str, list[str]], shown: dict[str, list[str]]) -> dict[str, list[str]]:
    """The editor's preview request as its script sends it (static/js/editor.js): of the form's
    values `typed`, only the parts (sections, devices) that differ from the page as `shown`,
    named in `changed_part`."""
    part = {name: name.split("-")[0] for name in {*typed, *shown} if "-" in name}
    differs = {p for name, p in part.items() if typed.get(name) != shown.get(name)}
    sent = {name: values for name, values in typed.items() if name not in part or part[name] in differs}
    return {**sent, "partial": ["1"], "changed_part": sorted(differs)}
