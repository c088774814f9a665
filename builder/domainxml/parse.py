"""Reading domain XML that anybody may have written, safely, and rewriting the 2008 forms.

The parser resolves no entities, loads no DTD, touches no network, and refuses a DOCTYPE
altogether (domain XML never needs one; it is how XXE and billion-laughs payloads arrive).
Sizes and depths are capped before lxml spends time on hostile input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64  # real domain XML is about 8 levels deep


class XMLInputError(ValueError):
    """The input cannot be used as a domain; the message says why, for a person."""


@dataclass
class Parsed:
    root: etree._Element
    warnings: list[str] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )


def parse_xml(data: bytes | str, max_bytes: int = DEFAULT_MAX_BYTES, root_tag: str | None = None) -> etree._Element:
    """Parse one XML document with the safety limits; raise XMLInputError with a clear reason."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise XMLInputError(f"file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    if not data.strip():
        raise XMLInputError("file is empty")
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        raise XMLInputError("this looks like JSON, not domain XML")
    # Refuse a DOCTYPE before parsing at all; one in another encoding is caught after parsing.
    if b"<!doctype" in data[:4096].lower():
        raise XMLInputError("a DOCTYPE or entity declaration is not allowed in domain XML")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise XMLInputError(f"not well-formed XML: {_syntax_reason(e)}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XMLInputError("a DOCTYPE or entity declaration is not allowed in domain XML")
    _check_depth(root)
    if root_tag and root.tag != root_tag:
        name = root.tag if isinstance(root.tag, str) else "?"
        hint = (
            " (this looks like an HTML page)" if name.lower() in ("html", "{http://www.w3.org/1999/xhtml}html") else ""
        )
        raise XMLInputError(f"the root element is <{name}>, not <{root_tag}>{hint}")
    return root


def _syntax_reason(e: etree.XMLSyntaxError) -> str:
    msg = (e.msg or str(e)).strip()
    if "proper UTF-8" in msg or "invalid character" in msg.lower() or "encoding" in msg.lower():
        return f"invalid text encoding ({msg}) at line {e.lineno}"
    if "Excessive depth" in msg:
        return f"nested too deeply (more than {MAX_DEPTH} levels)"
    if "Premature end" in msg or "EndTag" in msg or "end of data" in msg.lower():
        return f"the document is truncated or an element is not closed ({msg})"
    return f"{msg} (line {e.lineno}, column {e.offset})"


def _check_depth(root: etree._Element) -> None:
    depth = {root: 1}
    for el in root.iterdescendants():
        d = depth[el.getparent()] + 1
        if d > MAX_DEPTH:
            raise XMLInputError(f"nested too deeply (more than {MAX_DEPTH} levels)")
        depth[el] = d


def parse_domain(data: bytes | str, max_bytes: int = DEFAULT_MAX_BYTES) -> Parsed:
    """A domain from untrusted input, with the 2008 spellings rewritten (each with a warning)."""
    root = parse_xml(data, max_bytes, root_tag="domain")
    return Parsed(root, rewrite_legacy(root))


# -- the 2008 spellings libvirt 9 no longer reads ------------------------------------------


def rewrite_legacy(root: etree._Element) -> list[str]:
    warnings = []
    for clock in root.findall("clock"):
        sync = clock.get("sync")
        if sync is None:
            continue
        del clock.attrib["sync"]
        if clock.get("offset") is None:
            clock.set("offset", sync)
            warnings.append(
                f"<clock sync='{sync}'> is the 2008 spelling that libvirt ignores; rewritten as <clock offset='{sync}'>"
            )
        else:
            warnings.append(f"<clock> had both sync and offset; dropped sync='{sync}', kept offset")
    for wire in root.iterfind("devices/*/wiremode"):
        dev = wire.getparent()
        wire.tag = "protocol"
        warnings.append(
            f"<{dev.tag}>: <wiremode> is the 2008 spelling that libvirt drops; rewritten as "
            f"<protocol type='{wire.get('type', '')}'>"
        )
    for gfx in root.iterfind("devices/graphics"):
        pw = gfx.get("password")
        if pw is None:
            continue
        del gfx.attrib["password"]
        if gfx.get("passwd") is None:
            gfx.set("passwd", pw)
            warnings.append("<graphics password=...> is the 2008 spelling that libvirt drops; renamed to passwd")
        else:
            warnings.append("<graphics> had both password and passwd; kept passwd")
    return warnings
