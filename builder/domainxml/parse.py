"""Reading domain XML that anybody may have written, safely, and rewriting the 2008 forms.

The parser resolves no entities, loads no DTD, touches no network, and refuses a DOCTYPE
altogether (domain XML never needs one; it is how XXE and billion-laughs payloads arrive).
Sizes and depths are capped before lxml spends time on hostile input.
"""

from __future__ import annotations

import codecs
import re
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
        # Callers may pass only the first max_bytes + 1 bytes of a file, so the true size is unknown here.
        raise XMLInputError(f"file is larger than the limit of {max_bytes:,} bytes")
    if not data:
        raise XMLInputError("file is empty")
    text = _sniff_text(data)
    if not text.strip():
        raise XMLInputError("file is empty (only whitespace)")
    if text.lstrip()[:1] in ("{", "["):
        raise XMLInputError("this looks like JSON, not domain XML")
    if not text.lstrip().startswith("<"):
        raise XMLInputError("this is not XML: the file does not start with '<'")
    # What comes first after the XML declaration, comments and processing instructions: refuse an
    # HTML page or a DOCTYPE before lxml sees it, in whatever encoding. The check after parsing stays
    # as a second line for encodings not recognised here.
    prolog_end = _prolog_end(text)
    if prolog_end >= len(text):
        raise XMLInputError("file has no element, only an XML declaration, comments or whitespace")
    start = text[prolog_end:][:64].lower()
    if _HTML_START.match(start):
        raise XMLInputError("this looks like an HTML page, not domain XML")
    if start.startswith(("<!doctype", "<!entity")):
        raise XMLInputError("a DOCTYPE or entity declaration is not allowed in domain XML")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise XMLInputError(_syntax_reason(e, data)) from None
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


# Byte order marks, then the first "<" or "<?" without one (XML 1.0, appendix F). UTF-32 before UTF-16:
# the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE_STARTS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_PROLOG_ITEM = re.compile(r"[ \t\r\n]+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_HTML_START = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]")


def _sniff_text(data: bytes) -> str:
    """The document as text, good enough to look at its markup (not its content) before parsing."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    for start, codec in _WIDE_STARTS:
        if data.startswith(start):
            return data.decode(codec, errors="replace")
    # ASCII-compatible (UTF-8, Latin-1, ...): the markup is ASCII, so Latin-1 shows it byte for byte.
    return data.decode("latin-1")


def _prolog_end(text: str) -> int:
    """Where the XML declaration, whitespace, comments and processing instructions at the start end."""
    pos = 0
    while (m := _PROLOG_ITEM.match(text, pos)) and m.end() > pos:
        pos = m.end()
    return pos


def _ends_early(data: bytes) -> bool:
    """Whether data is the well-formed beginning of a document that stops before its end (truncated)."""
    parser = _parser()
    try:
        parser.feed(data)  # the push parser only fails here on an error within the data
    except etree.XMLSyntaxError:
        return False
    try:
        parser.close()  # ... and here when the data ran out
    except etree.XMLSyntaxError:
        return True
    return False


_POSITION = re.compile(r",? line (\d+), column (\d+)$")


def _syntax_reason(e: etree.XMLSyntaxError, data: bytes) -> str:
    msg = " ".join((e.msg or str(e)).split())  # one line: lxml ends some messages with a newline
    found = _POSITION.search(msg)
    if found:
        msg, line, where = msg[: found.start()].rstrip(), found[1], f"line {found[1]}, column {found[2]}"
    else:
        line, where = e.lineno, f"line {e.lineno}"
    low = msg.lower()
    if "excessive depth" in low:
        return f"nested too deeply (more than {MAX_DEPTH} levels)"
    if "amplification" in low or ("entity" in low and "loop" in low):
        return f"entity declarations are not allowed in domain XML ({msg})"
    if "entity" in low and "not defined" in low:
        return (
            f"not well-formed XML: an entity reference that XML does not define at {where}; only &amp; &lt; "
            f"&gt; &quot; &apos; and character references such as &#233; are allowed ({msg})"
        )
    if "proper utf-8" in low or "invalid bytes in character encoding" in low:
        return (
            f"invalid text encoding: the bytes at {where} are not valid UTF-8 "
            f"(nor valid in the encoding the file declares)"
        )
    if "encoding" in low:
        return f"invalid text encoding: {msg} ({where})"
    if "out of allowed range" in low or "invalid character" in low:
        return f"not well-formed XML: a character that XML does not allow at {where} ({msg})"
    if _ends_early(data):
        return f"the document is truncated or an element is not closed: it stops at line {line} ({msg})"
    return f"not well-formed XML: {msg} ({where})"


def _check_depth(root: etree._Element) -> None:
    depth = {root: 1}
    for el in root.iterdescendants():
        d = depth[el.getparent()] + 1
        if d > MAX_DEPTH:
            raise XMLInputError(f"nested too deeply (more than {MAX_DEPTH} levels)")
        depth[el] = d


def parse_stored(text: str) -> etree._Element:
    """XML this application stored after parse_xml accepted it (a template's devices): parsed with
    the same safe parser (no entities, no DTD, no network, lxml's own depth limit), without looking
    at it again as untrusted input, because assembling a domain parses every device each time."""
    try:
        return etree.fromstring(text.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as e:
        raise XMLInputError(f"stored XML cannot be read: {e}") from None


def parse_domain(data: bytes | str, max_bytes: int = DEFAULT_MAX_BYTES) -> Parsed:
    """A domain from untrusted input, with the 2008 spellings rewritten (each with a warning)."""
    root = parse_xml(data, max_bytes, root_tag="domain")
    return Parsed(root, rewrite_legacy(root))


# -- the 2008 spellings libvirt 9 no longer reads ------------------------------------------


# (where, 2008 attribute, libvirt's attribute, what libvirt does with the old one, secret value)
LEGACY_ATTRIBUTES = (
    ("clock", "sync", "offset", "ignores", False),
    ("devices/graphics", "password", "passwd", "drops", True),
)
# (where, 2008 element, libvirt's element)
LEGACY_ELEMENTS = (("devices/*", "wiremode", "protocol"),)


def rewrite_legacy(root: etree._Element) -> list[str]:
    """Rewrite the 2008 spellings in place; one warning per rewrite, nothing dropped silently."""
    warnings = []
    for where, old, new, fate, secret in LEGACY_ATTRIBUTES:
        for el in root.iterfind(where):
            value = el.attrib.pop(old, None)
            if value is None:
                continue
            shown = "..." if secret else value  # a password never reaches a warning or a log
            if el.get(new) is None:
                el.set(new, value)
                warnings.append(
                    f"<{el.tag} {old}='{shown}'> is the 2008 spelling that libvirt {fate}; "
                    f"rewritten as <{el.tag} {new}='{shown}'>"
                )
            else:
                kept = "..." if secret else el.get(new)
                warnings.append(f"<{el.tag}> had both {old} and {new}; kept {new}='{kept}', dropped {old}='{shown}'")
    for where, old, new in LEGACY_ELEMENTS:
        for el in root.iterfind(f"{where}/{old}"):
            el.tag = new
            attrs = "".join(f" {k}='{v}'" for k, v in el.attrib.items())
            warnings.append(
                f"<{el.getparent().tag}>: <{old}> is the 2008 spelling that libvirt drops; rewritten as <{new}{attrs}>"
            )
    return warnings
