"""Which libvirt version a part of the spec page says it arrived in: its "Since" notes, tied to
the literal or value they follow (builder.specpage.prose keeps them marked as SINCE text END)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .prose import _LIT, _SINCE, _VERSION, END, SINCE, Block, _attributes, _elements, plain, sentences

_TIE_WORDS = r"(?:attribute|element|sub-?element|tag|flag|value|property|option)s?"
# A literal or a quoted value right before a note, maybe called an attribute or a flag:
# "unit since 0.9.11", "bus attribute since 0.4.3", "The stateless flag (Since 8.6.0)",
# '"hvf" (since 8.1.0)'.
_TIED = re.compile(r"(?:" + _LIT.pattern + r"|[\"']([\w.-]+)[\"'])(?:\s+" + _TIE_WORDS + r")?\s*(\(?)\s*$")
_ANY_ATTRIBUTE = re.compile(r"\b(?:attribute|property)s?\b", re.I)
_NEAR_ATTRIBUTE = re.compile(
    r"(?i:\b(?:attribute|property)s?)\s*:?\s*"
    + _LIT.pattern
    + "|"
    + _LIT.pattern
    + r"\s+(?i:(?:attribute|property)s?)\b"
)


@dataclass(frozen=True)
class Note:
    """A since note and what it is about: the literal or value it is tied to, else the
    attributes its clause describes (none: the thing the whole text describes)."""

    text: str
    tied: str | None
    about: frozenset[str]


def _notes(text: str) -> list[Note]:
    """The since notes of a marked text, each with what it is about.

    A note is tied to a literal or quoted value just before it ("unit since 0.9.11", '"hvf"
    (since 8.1.0)'), or to one its own text starts with. Otherwise it belongs to a clause: the
    one after a leading note ("Since 0.10.2 there is an optional attribute eoi ..."), else the
    text since the last note ("... for QEMU/KVM domains. Xen since 0.1.0"), which is about what
    its first sentence describes. A clause describing attributes makes the note theirs, not the
    element's.
    """
    notes, prev = [], 0
    for m in _SINCE.finditer(text):
        note = plain(m[1])
        before, after = text[prev : m.start()], text[m.end() :]
        tied = _TIED.search(before)
        own = re.match(r"[\"']([^\"']+)[\"']", note)
        if tied and (tied[3] or not note[:1].isupper()):
            notes.append(Note(note, (tied[1] or tied[2]).strip(), frozenset()))
        elif own:
            notes.append(Note(note, own[1], frozenset()))
        else:
            if re.match(r"[\s,;)]*[a-z]", after):  # leading: the clause after it
                scope = re.split(r"(?<=[.!?])\s|" + SINCE, after, maxsplit=1)[0]
            else:  # trailing: what came since the last note, by its first sentence
                scope = next(iter(sentences(before.strip())), "")
            notes.append(Note(note, None, _described(scope)))
        prev = m.end()
    return notes


def _described(text: str) -> frozenset[str]:
    """The attributes a stretch of text describes ("?" when it speaks of attributes unnamed)."""
    names = set()
    for sentence in sentences(text):
        names |= {a for a, _ in _attributes(sentence, _elements(sentence))}
    names |= {m[1] or m[2] for m in _NEAR_ATTRIBUTE.finditer(text)}
    if not names and _ANY_ATTRIBUTE.search(plain(text)):
        names.add("?")
    return frozenset(n.strip() for n in names)


def _version(note: str) -> str:
    """The version a note gives; "0.1.0 (Xen), 0.9.12 (QEMU/KVM)" when it gives one per hypervisor."""
    clauses = [c.strip() for c in re.split(r"[;,]", note) if c.strip()]
    labelled = [re.fullmatch(r"([A-Z][\w/ ]*?)\s+since\s+(" + _VERSION.pattern + r")", c) for c in clauses]
    if len(labelled) > 1 and all(labelled):
        text = ", ".join(f"{m[2]} ({m[1]})" for m in labelled)
        if len(text) <= 40:
            return text
    m = _VERSION.search(note)
    return m[0] if m else ""


def _version_for(notes: list[Note], name: str | None) -> str:
    """The version of `name`: a note tied to it or naming it ("unit since 0.9.11"), else a
    note that starts with a capital ("Since 0.0.1", "Xen since 0.1.0") about the thing the text
    describes, or about `name` among other attributes. A note about other names (the element's
    attributes, a value) never counts."""
    if name:
        named = _named_version(notes, name)
        if named:
            return named
    for note in notes:
        if note.tied is None and note.text.lstrip("(")[:1].isupper() and (not note.about or name in note.about):
            version = _version(note.text)
            if version:
                return version
    return ""


def _named_version(notes: list[Note], name: str) -> str:
    for note in notes:
        if note.tied == name:
            version = _version(note.text)
            if version:
                return version
        for clause in re.split(r"[;,]", note.text):
            # 'unit since 0.9.11', '"device" attribute since 0.1.4': the name leads its clause
            if re.match(r"\W*" + re.escape(name) + r"\W*(?:" + _TIE_WORDS + r"\s+)?since\b", clause.strip()):
                m = _VERSION.search(clause)
                if m:
                    return m[0]
    return ""


def drop_final_since(text: str) -> str:
    return re.sub(SINCE + "Since[^" + END + "]*" + END + r"[\s.]*$", "", text.strip())


def since(blocks_: list[Block], name: str | None) -> str:
    return _version_for([n for b in blocks_ for n in _notes(b.text)], name)


def since_in(texts: list[str], name: str) -> str:
    return _version_for([n for t in texts for n in _notes(t)], name)


def since_named(blocks_: list[Block], name: str) -> str:
    """The version a note anywhere in the blocks gives for this name ("unit since 0.9.11")."""
    return _named_version([n for b in blocks_ for n in _notes(b.text)], name)
