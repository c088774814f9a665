"""The prose of the spec page: paragraphs with their literals marked, split into sentences, and
the attributes those sentences describe.

Literals (``<code>``, ``<span class="docutils literal">``) are kept as OPEN name CLOSE and "Since"
notes as SINCE text END, so sentences can be read for "the X attribute of the <E> element" without
losing track of which words were markup. ``plain`` turns such text back into what people read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE, SINCE, END = "\x01", "\x02", "\x03", "\x04"
_LIT = re.compile(OPEN + r"([^" + CLOSE + r"]*)" + CLOSE)
_SINCE = re.compile(SINCE + r"([^" + END + r"]*)" + END)
_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?")
_IDENT = re.compile(r"[A-Za-z_][\w-]*")
_ELEMENT_WORDS = r"(?:element|sub-element|subelement|child element|tag|node)s?"
_CONTAINERS = ("ul", "ol", "li", "div", "blockquote", "dd", "section")  # hold paragraphs
_SKIP = ("dl", "pre", "table")  # read on their own (terms, examples) or not at all


@dataclass(frozen=True)
class Block:
    """One paragraph (or list item), literals and since notes marked."""

    text: str


# -- marked text ---------------------------------------------------------------------------


def _is_literal(el) -> bool:
    return el.tag in ("code", "tt") or (el.tag == "span" and "literal" in (el.get("class") or "").split())


def _is_since(el) -> bool:
    return el.tag == "span" and "since" in (el.get("class") or "").split()


def _marked(el, out: list[str]) -> None:
    """The content of el, literals and since notes marked; nested terms and examples skipped."""
    if el.text:
        out.append(el.text)
    for child in el:
        _node(child, out)
        if child.tail:
            out.append(child.tail)


def _node(el, out: list[str]) -> None:
    if not isinstance(el.tag, str) or el.tag in _SKIP:
        return
    if _is_since(el):
        out.append(SINCE + el.text_content() + END)
    elif _is_literal(el) and el.find(".//code") is not None:
        # 2008: an unclosed <code> swallows what follows; only its own first words are code.
        out.append(OPEN + (el.text or "") + CLOSE)
        for child in el:
            _node(child, out)
            out.append(child.tail or "")
    elif _is_literal(el):
        out.append(OPEN + el.text_content() + CLOSE)
    elif el.tag in ("sup", "sub"):
        # 2<sup>10</sup> must not read as 210 once the markup is gone.
        out.append(("^" if el.tag == "sup" else "_") + el.text_content())
    else:
        _marked(el, out)


def blocks(el) -> list[Block]:
    """The paragraphs of el: each <p> and <li> on its own, loose text and inline markup together."""
    if not isinstance(el.tag, str) or el.tag in _SKIP:
        return []
    if el.tag not in _CONTAINERS or (el.tag == "li" and not any(_is_block(c) for c in el)):
        out: list[str] = []
        _marked(el, out)
        return _nonempty(out)
    found, loose = [], [el.text or ""]
    for child in el:
        if _is_block(child):
            found.extend(_nonempty(loose))
            loose = []
            found.extend(blocks(child))
        else:
            _node(child, loose)
        loose.append(child.tail or "")
    found.extend(_nonempty(loose))
    return found


def _is_block(el) -> bool:
    return isinstance(el.tag, str) and (el.tag in _CONTAINERS or el.tag in _SKIP or el.tag == "p")


def _nonempty(parts: list[str]) -> list[Block]:
    text = re.sub(r"\s+", " ", "".join(parts)).strip()
    return [Block(text)] if plain(text) else []


def plain(text: str) -> str:
    text = text.replace(OPEN, "").replace(CLOSE, "").replace(SINCE, "").replace(END, "")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([,.;:)])", r"\1", text).replace("( ", "(")


def term(dt) -> str | None:
    """The name a dt defines: its first literal, else its first word."""
    lit = next((c for c in dt.iter() if isinstance(c.tag, str) and _is_literal(c)), None)
    text = (lit.text_content() if lit is not None else dt.text_content()).strip()
    m = _IDENT.match(text.strip("<>/"))
    return m[0] if m else None


# -- sentences -----------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[" + OPEN + SINCE + r"\"'(<]?[A-Z<])", text) if s.strip()]


def _literals(sentence: str) -> list[str]:
    return [m.strip() for m in _LIT.findall(sentence)]


def _elements(sentence: str) -> list[str]:
    """Elements a sentence names: <E> spelled out, or a literal called an element."""
    found = []
    for m in re.finditer(r"<([A-Za-z_][\w-]*)[^<>]*>", plain(sentence)):
        found.append(m[1])
    for m in _LIT.finditer(sentence):
        name = m[1].strip()
        after = sentence[m.end() : m.end() + 30]
        before = sentence[max(0, m.start() - 30) : m.start()]
        if _IDENT.fullmatch(name) and (
            re.match(r"\s*" + _ELEMENT_WORDS + r"\b", after)
            or re.search(r"\b(?:sub-?element|element|named)\s*$", before)
        ):
            found.append(name)
    return list(dict.fromkeys(found))


def _attributes(sentence: str, elements: list[str]) -> list[tuple[str, str | None]]:
    """(attribute, element it belongs to or None) for each attribute the sentence names. The
    element is the one "of the <E>", else the last one named before the attribute: one named
    after it is a comparison ("behaves the same as for <memory>")."""
    if not re.search(r"\battributes?\b", sentence):
        return []
    found: dict[str, str | None] = {}
    lit = OPEN + r"\s*([A-Za-z_][\w-]*)\s*" + CLOSE
    owner = r"(?:\s+(?:of|in|on)\s+(?:the\s+)?(?:" + OPEN + r"\s*<?([\w-]+)/?>?\s*" + CLOSE + r"|<([\w-]+)/?>))?"
    for m in re.finditer(lit + r"\s+(?:property|attribute)s?\b" + owner, sentence):
        # "The address attribute is duplicated as listen attribute": listen is what the
        # address is compared to, not what the sentence describes.
        if not re.search(r"\b(?:as|like|than)\s+(?:the\s+|an?\s+)?$", sentence[: m.start()]):
            found.setdefault(m[1], m[2] or m[3])
    for m in re.finditer(r"\battributes?\s*(?:,\s*)?(?:is\s+|named\s+|called\s+|the\s+)?" + lit, sentence):
        found.setdefault(m[1], None)
    # "two optional attributes, arch specifying ..., and machine referring ...": a list follows.
    plural = re.search(r"\battributes\b[^.;:]*", sentence)
    if plural:
        for m in re.finditer(r"(?:^|,|\band\b|\bor\b|\bthe\b)\s*" + lit, plural[0]):
            found.setdefault(m[1], None)
    owners = {}
    for attr, owner in found.items():
        at = sentence.find(OPEN + attr)
        before = [e for e in elements if -1 < _mention(sentence, e) < at]
        owners[attr] = owner or (before[-1] if before else None)
    return [(a, e) for a, e in owners.items() if a not in elements]


def _mention(sentence: str, element: str) -> int:
    m = re.search("(?:" + OPEN + r"\s*<?|<)" + re.escape(element) + r"(?![\w-])", sentence)
    return m.start() if m else -1


def attributes(blocks_: list[Block], context: str | None) -> dict[tuple[str, str], list[str]]:
    """Sentences per (element, attribute) they describe.

    The element is the one the sentence ties the attribute to (see ``_attributes``), else
    ``context`` (the dt whose dd this is), else outside a dd the one an earlier sentence of the
    paragraph named ("The root element ... is named domain. It has two attributes ..."). A
    sentence without any literal that follows a sentence about one attribute goes on describing
    it ("The allowed values are ...").
    """
    found: dict[tuple[str, str], list[str]] = {}
    for block in blocks_:
        current, last = context, []
        for sentence in sentences(block.text):
            elements = _elements(sentence)
            attrs = _attributes(sentence, elements)
            if attrs:
                last = []
                for attr, owner in attrs:
                    element = owner or current
                    if element and element != attr:
                        found.setdefault((element, attr), []).append(sentence)
                        last.append((element, attr))
            elif last and len(last) == 1 and not _literals(sentence):
                found[last[0]].append(sentence)
            else:
                last = []
            if elements and not context:
                current = elements[0]
    return found


def mentioning(blocks_: list[Block], tag: str, attr: str, values: list[str]) -> list[str]:
    """Up to three sentences that are about an attribute an example uses, from the best rule
    that finds any: the sentence describes it as an attribute ("The optional file attribute is
    used to ..."); it is the sentence's subject, spelled with its element ("The source address
    used must be ..."); it quotes a value the examples give it ('default', ``telnet``) and
    describes or sets no other attribute.

    A sentence that merely uses the same words ("changes to the interface mac address"), the
    section's title, or the paragraph above an example is not about the attribute: better no
    text than one about something else.
    """
    said = [(s, plain(s)) for b in blocks_ for s in sentences(b.text)]
    subject = re.compile(
        r"(?:the\s+)?(?:xml\s+)?[\"'<]?" + re.escape(tag) + r"/?[>\"']?\s+" + re.escape(attr) + r"\b", re.I
    )
    quoted = [
        q for v in values if re.fullmatch(r"[A-Za-z][\w-]{2,}", v) for q in (f"'{v}'", f'"{v}"', OPEN + v + CLOSE)
    ]

    # "the type attribute of the top-level element": an attribute of some other element
    elsewhere = re.compile(
        r"\battributes?\s+(?:of|in|on)\s+(?:the\s+)?(?!<?" + re.escape(tag) + r"\b)[\w<>-]+\s+element"
    )

    def described(s):
        unowned = elsewhere.search(plain(s)) is None
        return {a for a, owner in _attributes(s, _elements(s)) if owner == tag or (owner is None and unowned)}

    def others(s, p):
        """Attributes the sentence describes or sets (<virtualport type='midonet'/>)."""
        return {a for a, _ in _attributes(s, _elements(s))} | set(re.findall(r"([A-Za-z_][\w-]*)=[\"']", p))

    rules = [
        lambda s, p: attr in described(s),
        lambda s, p: subject.match(p) is not None,
        lambda s, p: any(q in s for q in quoted) and others(s, p) <= {attr},
    ]
    for rule in rules:
        chosen = [s for s, p in said if rule(s, p)]
        if chosen:
            return chosen[:3]
    return []


# -- sentences that say outright what they are about ------------------------------------------


def element_names(sentence: str) -> list[str]:
    """Elements a sentence names (see ``_elements``)."""
    return _elements(sentence)


_LITNAME = OPEN + r"\s*<?([A-Za-z_][\w-]*)/?>?\s*" + CLOSE
_NAMED_ELEMENT = r"(?:" + _LITNAME + r"|<([A-Za-z_][\w-]*)/?>)"
_DUPLICATE = re.compile(
    _LITNAME
    + r"\s+attribute\s+is\s+(?:also\s+)?duplicated\s+as\s+(?:the\s+|an?\s+)?"
    + _LITNAME
    + r"\s+attribute\s+(?:in|of|on)\s+(?:the\s+)?"
    + _NAMED_ELEMENT
    + r"\s+element\b"
)
# "(given in the path attribute of the <script> element)": attribute and element spelled out.
_EXPLICIT = re.compile(_LITNAME + r"\s+attribute\s+of\s+the\s+" + _NAMED_ELEMENT + r"\s+(?:element|sub-?element|tag)\b")
_CONDITIONAL = re.compile(r"^\W*(?:if|when|whenever|for|unless|in case|only|with)\b", re.I)


def duplicates(blocks_: list[Block], said: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], list[str]]:
    """(element, attribute) that a sentence calls a duplicate of another attribute ("The address
    attribute is duplicated as listen attribute in graphics element"), with what ``attributes``
    found said of that other attribute, else the sentences naming it as an attribute (either
    includes the sentence itself). Nothing when the other attribute was read for several
    elements: which one is copied would be a guess."""
    found: dict[tuple[str, str], list[str]] = {}
    for block in blocks_:
        for sentence in sentences(block.text):
            m = _DUPLICATE.search(sentence)
            if not m:
                continue
            source, copy, element = m[1], m[2], m[3] or m[4]
            about = [key for key in said if key[1] == source]
            if len(about) > 1 or (element, copy) in said:
                continue
            if about:
                text = said[about[0]]
            else:  # read for no element (the dd of a value named like it): the sentences naming it
                text = [s for b in blocks_ for s in sentences(b.text) if source in dict(_attributes(s, _elements(s)))]
            if sentence in text:
                found[element, copy] = text
    return found


def explicit(blocks_: list[Block], values: set[str]) -> dict[tuple[str, str], str]:
    """(element, attribute) -> the first sentence that names it as "the A attribute of the <E>
    element" and holds whatever the value of the subsection it sits in: it sets no condition
    ("If ...", "When ...", "For ...") and names none of those values."""
    found: dict[tuple[str, str], str] = {}
    for block in blocks_:
        for sentence in sentences(block.text):
            text = plain(sentence)
            if _CONDITIONAL.search(text) or any(re.search(r"\b" + re.escape(v) + r"\b", text) for v in values if v):
                continue
            for m in _EXPLICIT.finditer(sentence):
                found.setdefault((m[2] or m[3], m[1]), sentence)
    return found
