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


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w.:/-]*\w", plain(text))}


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


def mentioning(blocks_: list[Block], tag: str, attr: str, value: str, title: str) -> list[str]:
    """Up to three sentences about an attribute an example uses, from the best rule that finds
    any: the value quoted ('default'); the value as a word; element and attribute both named;
    the attribute named, when the section is about it (source bridge= in "Bridge to LAN")."""
    all_ = [s for b in blocks_ for s in sentences(b.text)]
    value_l, tag_l, attr_l = value.lower(), tag.lower(), attr.lower()
    is_word = re.fullmatch(r"[A-Za-z][\w-]{2,}", value) is not None
    quoted = [f"'{value}'", f'"{value}"', OPEN + value + CLOSE]
    rules = [
        lambda s, w: is_word and any(q in s for q in quoted),
        lambda s, w: is_word and value_l in w,
        lambda s, w: tag_l in w and attr_l in w,
        lambda s, w: attr_l in words(title) and attr_l in w,
    ]
    said = [(s, words(s)) for s in all_]
    for rule in rules:
        chosen = [s for s, w in said if rule(s, w)]
        if chosen:
            return chosen[:3]
    return []


# -- since ---------------------------------------------------------------------------------


def _since_notes(text: str) -> list[str]:
    """The since notes of a text; a literal just before a lower-case note is what it is about
    ("unit since 0.9.11")."""
    notes = []
    for m in re.finditer(r"(?:" + _LIT.pattern + r"\s*)?" + _SINCE.pattern, text):
        note = plain(m[2])
        notes.append(f"{m[1].strip()} {note}" if m[1] and note.startswith("since") else note)
    return notes


def _version_for(notes: list[str], name: str | None) -> str:
    """A note's clause naming the attribute ("unit since 0.9.11"), else a note that starts with
    "Since" (the element's own version, not that of one of its values)."""
    if name:
        for note in notes:
            for clause in re.split(r"[;,]", note):
                if re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", clause):
                    m = _VERSION.search(clause)
                    if m:
                        return m[0]
    for note in notes:
        if note.startswith("Since"):
            m = _VERSION.search(note)
            if m:
                return m[0]
    return ""


def drop_final_since(text: str) -> str:
    return re.sub(SINCE + "Since[^" + END + "]*" + END + r"[\s.]*$", "", text.strip())


def since(blocks_: list[Block], name: str | None) -> str:
    return _version_for([n for b in blocks_ for n in _since_notes(b.text)], name)


def since_in(texts: list[str], name: str) -> str:
    return _version_for([n for t in texts for n in _since_notes(t)], name)


def since_named(blocks_: list[Block], name: str) -> str:
    """The version a note anywhere in the blocks gives for this name ("unit since 0.9.11")."""
    notes = [n for b in blocks_ for n in _since_notes(b.text)]
    return _version_for([c for n in notes for c in re.split(r"[;,]", n) if name in c], name)
