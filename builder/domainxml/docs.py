"""libvirt's Domain XML spec (formatdomain.html) read into doc entries, and matched to fields.

An entry is what the page says about one element or attribute: (parent element, name) inside a
section of the page, with its text, the version it appeared in ("Since") and the section's anchor.
Both markups of the page are read:

* libvirt's own copy since 7.x (docutils): nested ``<section id=...>``, dl/dt/dd, literals as
  ``<span class="docutils literal">`` or ``<code class="... literal">``, ``span.since``;
* the 2008 page: flat ``<hN><a name=...>`` headings, ``<dt><code>``, raw XML inside ``<pre>`` and
  unclosed tags.

Entries come from four kinds of text, best first (``KINDS``): a dt/dd definition; sentences of
prose naming an attribute ("the dev attribute of the <target> element"); a section whose
subsections each show one value of an attribute in their examples (the interface types); and the
sentences of a prose-only section whose examples use an attribute (chardev source host/service).
Nothing here knows libvirt's vocabulary: fields are matched by their own ``doc_key`` and their
element's ``section``/``doc_sections`` (see ``Index``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html

from . import docprose
from .docprose import Block

MODERN, LEGACY = "libvirt", "2008"
KINDS = ("dt", "prose", "values", "example")  # best first
_HEADING = re.compile(r"h[1-6]")
_WRAPPERS = ("_", "domain", "devices")  # what examples are nested in, not what they document


class SpecError(ValueError):
    """The file is not a Domain XML spec page this module can read."""


@dataclass(frozen=True)
class Entry:
    section: str  # anchors of the enclosing sections, outermost first, joined by "/"
    parent: str  # the element that carries `name`; "" when the page does not say
    name: str
    text: str
    since: str = ""
    anchor: str = ""  # the innermost section: where a link should point
    kind: str = "dt"
    position: int = 0  # order on the page: the first of equals wins


@dataclass
class Spec:
    markup: str  # MODERN or LEGACY
    entries: list[Entry]


@dataclass(eq=False)
class _Part:
    """A section of the page: its own nodes (paragraphs, lists, examples) and its subsections."""

    anchor: str
    title: str
    path: tuple[str, ...]
    parent: _Part | None = None
    nodes: list = field(default_factory=list)
    children: list[_Part] = field(default_factory=list)
    _examples: list | None = field(default=None, repr=False)

    def examples(self) -> list[etree._Element]:
        """The part's example XML (<pre>), each parsed once."""
        if self._examples is None:
            self._examples = [_example(n) for n in self.nodes if n.tag == "pre"]
        return self._examples

    def tags(self) -> set[str]:
        """Element names the examples here and above use (dt names that are values are not)."""
        part, tags = self, set()
        while part is not None:
            tags |= {el.tag for ex in part.examples() for el in ex.iter() if isinstance(el.tag, str)}
            part = part.parent
        return tags


# -- reading the page ----------------------------------------------------------------------


def parse_file(path: str | Path) -> Spec:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise SpecError(e.strerror or str(e)) from None
    return parse(data)


def parse(data: bytes) -> Spec:
    if not data.strip():
        raise SpecError("the file is empty")
    modern = b"<section" in data
    try:
        root = html.document_fromstring(data if modern else _tidy_2008(data.decode("utf-8", "replace")))
    except (etree.ParserError, ValueError) as e:
        raise SpecError(f"not HTML: {e}") from None
    parts = _modern_parts(root) if modern else _legacy_parts(root)
    if not parts:
        raise SpecError("no sections with anchors: not a Domain XML spec page")
    reader = _Reader()
    for part in parts:
        reader.read(part)
    if not reader.entries:
        raise SpecError("no element or attribute descriptions found")
    return Spec(MODERN if modern else LEGACY, reader.entries)


_PRE = re.compile(r"(<pre[^>]*>)(.*?)(</pre>)", re.S | re.I)
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)")
_HTML_TAGS = {
    *("html", "head", "body", "title", "meta", "link", "style", "script", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("p", "a", "ul", "ol", "li", "dl", "dt", "dd", "pre", "code", "span", "strong", "em", "b", "i", "tt"),
    *("br", "hr", "div", "table", "thead", "tbody", "tr", "td", "th", "img", "sup", "sub", "blockquote"),
}


def _tidy_2008(text: str) -> str:
    """The 2008 page writes example XML raw, inside <pre> and in prose (<target> element):
    escape it, or the HTML parser takes <input> or <source> for its own and mangles the text."""
    text = _PRE.sub(lambda m: m[1] + m[2].replace("<", "&lt;").replace(">", "&gt;") + m[3], text)
    return _TAG.sub(lambda m: m[0] if m[2].lower() in _HTML_TAGS else "&lt;" + m[0][1:], text)


def _modern_parts(root) -> list[_Part]:
    def build(sec, parent):
        heading = next((c for c in sec if isinstance(c.tag, str) and _HEADING.fullmatch(c.tag)), None)
        anchor = sec.get("id")
        part = _Part(anchor, _clean(heading.text_content()) if heading is not None else anchor, (), parent)
        part.path = (parent.path if parent else ()) + (anchor,)
        for child in sec:
            if not isinstance(child.tag, str) or child is heading:
                continue
            if child.tag == "section" and child.get("id"):
                part.children.append(build(child, part))
            else:
                part.nodes.append(child)
        return part

    tops = [s for s in root.iter("section") if s.get("id") and next(s.iterancestors("section"), None) is None]
    return [build(s, None) for s in tops]


def _legacy_parts(root) -> list[_Part]:
    """Flat headings become nested parts by their level; what follows a heading is its content."""
    body = root.find("body")
    tops, stack = [], []
    for node in body if body is not None else root:
        if not isinstance(node.tag, str):
            continue
        a = node.find(".//a[@name]") if re.fullmatch(r"h[2-6]", node.tag) else None
        if a is None:
            if stack:
                stack[-1][1].nodes.append(node)
            continue
        level = int(node.tag[1])
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        part = _Part(a.get("name"), _clean(node.text_content()), (), parent)
        part.path = (parent.path if parent else ()) + (part.anchor,)
        (parent.children if parent else tops).append(part)
        stack.append((level, part))
    return tops


def _example(pre) -> etree._Element:
    """The XML of an example, read leniently ("..." lines, unclosed tags in the 2008 page)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    text = re.sub(r"<([\w-]+):", r"<\1_", pre.text_content())  # prefixes nobody declared
    root = etree.fromstring(f"<_>{text}</_>".encode(), parser)
    return root if root is not None else etree.Element("_")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- entries -------------------------------------------------------------------------------


class _Reader:
    def __init__(self):
        self.entries: list[Entry] = []

    def emit(self, part, parent, name, text, since="", kind="dt") -> None:
        text = docprose.plain(docprose.drop_final_since(text))  # shown apart, as `since`
        if text and re.fullmatch(r"[A-Za-z_][\w-]*", name):
            path = "/".join(part.path)
            self.entries.append(Entry(path, parent, name, text, since, part.anchor, kind, len(self.entries)))

    def read(self, part: _Part) -> None:
        start = len(self.entries)
        blocks: list[Block] = []
        has_dl = False
        for node in part.nodes:
            if node.tag == "dl":
                has_dl = True
                self.definitions(node, part, ())
            elif node.tag != "pre":
                blocks.extend(docprose.blocks(node))
        self.prose(blocks, part, None)
        if not has_dl and blocks:
            known = {(e.parent, e.name) for e in self.entries[start:]}
            self.examples(part, known)
        self.values(part)
        for child in part.children:
            self.read(child)

    def definitions(self, dl, part: _Part, outer: tuple[str, ...]) -> None:
        """dt/dd pairs; a dl inside a dd describes attributes or values of that dd's dt."""
        name = None
        for node in dl:
            if node.tag == "dt":
                name = docprose.term(node)
            elif node.tag == "dd" and name:
                parent = outer[-1] if outer else _parent_in_examples(name, part)
                own = docprose.blocks(node)
                self.emit(part, parent, name, " ".join(b.text for b in own), docprose.since(own, None))
                tags = part.tags()
                context = next((n for n in reversed((*outer, name)) if n in tags), name)
                self.prose(own, part, context)
                for inner in _nested_dls(node):
                    self.definitions(inner, part, (*outer, name))

    def prose(self, blocks: list[Block], part: _Part, context: str | None) -> None:
        for (parent, name), sentences in docprose.attributes(blocks, context).items():
            since = docprose.since_in(sentences, name) or docprose.since_named(blocks, name)
            self.emit(part, parent, name, " ".join(sentences), since, "prose")

    def examples(self, part: _Part, known: set[tuple[str, str]]) -> None:
        """A prose-only section documents what its examples use: the sentences naming the value
        or the element and attribute, else the paragraph just above each example."""
        blocks, captions, seen = [], {}, {}
        caption = None
        for node in part.nodes:
            if node.tag == "pre":
                for el in _example(node).iter():
                    if not isinstance(el.tag, str) or el.tag in _WRAPPERS:
                        continue
                    for attr, value in el.attrib.items():
                        key = (el.tag, attr)
                        if key not in known:
                            seen.setdefault(key, value)  # the first example's value tells best
                            if caption is not None and caption not in captions.setdefault(key, []):
                                captions[key].append(caption)
            else:
                own = docprose.blocks(node)
                blocks.extend(own)
                caption = own[-1] if own else caption
        for (tag, attr), value in seen.items():
            chosen = docprose.mentioning(blocks, tag, attr, value, part.title) or captions.get((tag, attr), [])[:2]
            text = " ".join(b.text if isinstance(b, Block) else b for b in chosen)
            self.emit(part, tag, attr, text, docprose.since_in([text], attr), "example")

    def values(self, part: _Part) -> None:
        """Subsections that each show another value of one attribute (interface type='network',
        'bridge' ...) together document that attribute: value and subsection title, in order."""
        found: dict[str, dict[str, _Part]] = {}
        tags: dict[str, dict[str, set[str]]] = {}
        for child in part.children:
            for ex in child.examples():
                root = _example_root(ex)
                if root is None:
                    continue
                for attr, value in root.attrib.items():
                    found.setdefault(attr, {}).setdefault(value, child)
                    tags.setdefault(attr, {}).setdefault(root.tag, set()).add(value)
        own = [b for n in part.nodes if n.tag != "pre" for b in docprose.blocks(n)]
        lead = docprose.sentences(own[0].text)[0] if own else ""
        for attr, by_value in found.items():
            # One element must show two values at least: not the one-per-kind roots of <devices>.
            if max(len(v) for v in tags[attr].values()) < 2:
                continue
            listing = "; ".join(f"{value}: {child.title}" for value, child in by_value.items())
            for tag in tags[attr]:
                self.emit(part, tag, attr, f"{lead} {listing}.".strip(), kind="values")


def _nested_dls(dd):
    for el in dd.iter("dl"):
        if next(el.iterancestors("dd")) is dd:
            yield el


def _example_root(example):
    el = example
    while el is not None and el.tag in _WRAPPERS:
        el = next((c for c in el if isinstance(c.tag, str)), None)
    return el


def _parent_in_examples(name: str, part: _Part) -> str:
    """The element a top-level dt sits in, as the section's examples (or those above) show it."""
    while part is not None:
        for ex in part.examples():
            el = next(ex.iter(name), None)
            if el is not None:
                parent = el.getparent()
                return "" if parent is None or parent.tag == "_" else parent.tag
        part = part.parent
    return ""


# -- matching fields -----------------------------------------------------------------------


class Index:
    """Entries of one page, ready to answer which one documents a field.

    Candidates are the entries with the field's name whose section lies inside one of the
    sections its element declares; the best is the one with the field's own parent element, of
    the best kind, in the earliest declared section, first on the page. An element-valued field
    (``<name>``, ``<features><pae/>``) also takes a definition whose parent the page leaves open.
    """

    def __init__(self, entries):
        self.by_name: dict[str, list] = {}
        for e in entries:
            self.by_name.setdefault(e.name, []).append(e)

    def find(self, fld):
        parent, name = fld.doc_key
        parents = {parent, *doc_parents(fld.owner, parent)}
        anchors = [*fld.owner.doc_sections, fld.owner.section]
        best, best_rank = None, None
        for e in self.by_name.get(name, ()):
            where = [anchors.index(a) for a in e.section.split("/") if a in anchors]
            exact = e.parent in parents
            if not where or not (exact or (e.parent == "" and not fld.attr)):
                continue
            rank = (not exact, KINDS.index(e.kind), min(where), e.position)
            if best_rank is None or rank < best_rank:
                best, best_rank = e, rank
        return best


def doc_parents(owner, parent: str) -> set[str]:
    """A base shared by several elements (chardev for serial, parallel, console) stands for
    each of them."""
    if getattr(owner, "tag", None) or parent != owner.scope:
        return set()
    return {getattr(sub, "tag", "") for sub in owner.__subclasses__()} - {""}


def field_anchor(fld) -> str:
    """Where libvirt's page documents the field's element: the first section it declares."""
    sections = fld.owner.doc_sections
    return sections[0] if sections else ""
