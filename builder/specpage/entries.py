"""libvirt's Domain XML spec (formatdomain.html) read into doc entries, and matched to fields.

An entry is what the page says about one element or attribute: (parent element, name) inside a
section of the page, with its text, the version it appeared in ("Since") and the section's anchor.
Both markups of the page are read:

* libvirt's own copy since 7.x (docutils): nested ``<section id=...>``, dl/dt/dd, literals as
  ``<span class="docutils literal">`` or ``<code class="... literal">``, ``span.since``;
* the 2008 page: flat ``<hN><a name=...>`` headings, ``<dt><code>``, raw XML inside ``<pre>`` and
  unclosed tags.

Entries come from four kinds of text, best first (``KINDS``): a dt/dd definition (or a row of a
table of sub-elements inside one, as <hyperv>'s features); sentences of
prose naming an attribute ("the dev attribute of the <target> element"); a section whose
subsections each show one value of an attribute in their examples (the interface types); and the
sentences of a prose-only section that are about an attribute its examples use (the one quoting
network 'default'). Text is only ever taken for what it is about: a sentence that merely shares
words with an attribute ("the interface mac address") documents nothing, and neither does a
"Since" note of an element's attribute date the element. What a value's subsection says
("Multicast tunnel") is marked with that value (``Entry.scope``) and holds for fields of that
value alone.

Nothing here knows libvirt's vocabulary: fields are matched by their own ``doc_key``, ``when``
and their element's ``section``/``doc_sections`` (see ``Index``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html

from . import examples, prose, versions
from .prose import Block

MODERN, LEGACY = "libvirt", "2008"
KINDS = ("dt", "prose", "values", "heading", "example", "lifted")  # best first
_HEADING = re.compile(r"h[1-6]")


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
    # Read in the subsection that documents some values of the element's attribute only
    # ("type=server,client" in "TCP tunnel"): what it says may hold for those alone.
    scope: str = ""


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
    scope: str = ""  # see Entry.scope; set by the parent's `values`
    _examples: list | None = field(default=None, repr=False)

    def scope_values(self) -> set[str]:
        """The values the subsections up to here are about ("type=mcast" -> {"mcast"})."""
        return {v for p in examples.lineage(self) for c in p.scope.split() for v in c.partition("=")[2].split(",")}

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

    def emit(self, part, parent, name, text, since="", kind="dt", scope="", lineage=True) -> None:
        text = prose.plain(versions.drop_final_since(text))  # shown apart, as `since`
        if text and re.fullmatch(r"[A-Za-z_][\w-]*", name):
            path = "/".join(part.path)
            inherited = next((p.scope for p in examples.lineage(part) if p.scope), "") if lineage else ""
            scope = " ".join(filter(None, [inherited, scope]))
            self.entries.append(Entry(path, parent, name, text, since, part.anchor, kind, len(self.entries), scope))

    def read(self, part: _Part) -> None:
        start = len(self.entries)
        blocks: list[Block] = []
        has_dl = False
        for node in part.nodes:
            if node.tag == "dl":
                has_dl = True
                self.definitions(node, part, ())
            elif node.tag != "pre":
                blocks.extend(prose.blocks(node))
        self.prose(blocks, part, None)
        self.heading(blocks, part)
        if not has_dl and blocks:
            known = {(e.parent, e.name) for e in self.entries[start:]}
            self.examples(part, known)
        self.values(part)
        for child in part.children:
            self.read(child)

    def definitions(self, dl, part: _Part, outer: tuple[str, ...], scope: str = "", scope_tag: str = "") -> None:
        """dt/dd pairs; a dl inside a dd describes attributes or values of that dd's dt. The dd
        of a value (<graphics type='vnc'>'s "vnc") speaks of that value (``Entry.scope``)."""
        name = None
        for node in dl:
            if node.tag == "dt":
                name = prose.term(node)
            elif node.tag == "dd" and name:
                parent = outer[-1] if outer else examples.parent_in_examples(name, part)
                own = prose.blocks(node)
                tag, value = examples.value_in_examples(name, outer, part)
                inner_scope = " ".join(filter(None, [scope, value]))
                inner_tag = tag or scope_tag
                self.emit(
                    part, parent, name, " ".join(b.text for b in own), versions.since(own, name), scope=inner_scope
                )
                tags = part.tags()
                context = next((n for n in reversed((*outer, name)) if n in tags), name)
                self.prose(own, part, context, inner_scope, inner_tag)
                self.table(node, part, name, inner_scope)
                for inner in examples.nested_dls(node):
                    self.definitions(inner, part, (*outer, name), inner_scope, inner_tag)

    def table(self, dd, part: _Part, name: str, scope: str) -> None:
        """A table of sub-elements in an element's dd (<hyperv>'s "Feature | Description | Value |
        Since": relaxed, vapic ...): each row defines the child it names, with its values."""
        for table in (t for t in dd.iter("table") if next(t.iterancestors("dd")) is dd):
            heads = [_clean(th.text_content()).lower() for th in table.iter("th")]
            if heads[:2] != ["feature", "description"]:
                continue
            for tr in table.iter("tr"):
                cells = {h: _clean(td.text_content()) for h, td in zip(heads, tr.findall("td"), strict=False)}
                child, text = cells.get("feature", ""), cells.get("description", "").rstrip(".")
                if not child or not text:
                    continue
                values = cells.get("value", "")
                text = f"{text}. Values: {values}." if values else f"{text}."
                self.emit(part, name, child, text, cells.get("since", ""), scope=scope)

    def prose(
        self, blocks: list[Block], part: _Part, context: str | None, scope: str = "", scope_tag: str = ""
    ) -> None:
        said = prose.attributes(blocks, context)
        for (parent, name), sentences in said.items():
            since = versions.since_in(sentences, name) or versions.since_named(blocks, name)
            self.emit(part, parent, name, " ".join(sentences), since, "prose", scope)
        # "The address attribute is duplicated as listen attribute in graphics element": what is
        # said of the one is said of the other. A value's scope (<listen type='address'>) is the
        # scope of the element it was read for, not of the element the copy sits on.
        for (parent, name), sentences in prose.duplicates(blocks, said).items():
            since = versions.since_in(sentences, name)
            self.emit(part, parent, name, " ".join(sentences), since, "prose", scope if parent == scope_tag else "")
        # "(given in the path attribute of the <script> element)" in the subsection of one value
        # (type='ethernet'): the sentence itself says what the attribute is, whatever the value;
        # the sentences after it may not. Taken only where nothing better is said (``Index``).
        if any(p.scope for p in examples.lineage(part)) and not scope:
            for (parent, name), sentence in prose.explicit(blocks, part.scope_values()).items():
                self.emit(part, parent, name, sentence, versions.since_in([sentence], name), "lifted", lineage=False)

    def heading(self, blocks: list[Block], part: _Part) -> None:
        """A section titled after an element ("Overriding the target element") whose examples give
        that element a single attribute (<target dev='vnet1'/>) documents that attribute: its
        prose from the start, up to the first sentence that turns to another element ("the guest
        element should be used")."""
        m = re.search(r"\b([A-Za-z_][\w-]*)\s+(?:element|sub-?element|tag)\b", part.title)
        if not m or m[1] in examples.WRAPPERS:
            return
        tag = m[1]
        attrs = {a for ex in part.examples() for el in ex.iter(tag) for a in el.attrib}
        if len(attrs) != 1:
            return
        (attr,) = attrs
        taken = []
        for sentence in (s for b in blocks for s in prose.sentences(b.text)):
            if set(prose.element_names(sentence)) - {tag}:
                break
            taken.append(sentence)
        if taken and re.search(r"\b" + re.escape(tag) + r"s?\b", prose.plain(taken[0])):
            self.emit(part, tag, attr, " ".join(taken), versions.since_named([Block(" ".join(taken))], attr), "heading")

    def examples(self, part: _Part, known: set[tuple[str, str]]) -> None:
        """A prose-only section documents what its examples use, where a sentence is about
        the attribute (see ``prose.mentioning``); the rest of its prose is about other things."""
        blocks, seen = [], {}
        for node in part.nodes:
            if node.tag == "pre":
                for el in _example(node).iter():
                    if not isinstance(el.tag, str) or el.tag in examples.WRAPPERS:
                        continue
                    for attr, value in el.attrib.items():
                        if (el.tag, attr) not in known and value not in seen.setdefault((el.tag, attr), []):
                            seen[el.tag, attr].append(value)
            else:
                blocks.extend(prose.blocks(node))
        for (tag, attr), values in seen.items():
            text = " ".join(prose.mentioning(blocks, tag, attr, values))
            self.emit(part, tag, attr, text, versions.since_named([Block(text)], attr), "example")

    def values(self, part: _Part) -> None:
        """Subsections that each show another value of one attribute (interface type='network',
        'bridge' ...) together document that attribute: value and subsection title, in order.
        Each such subsection documents its values only (``Entry.scope``)."""
        found: dict[str, dict[str, _Part]] = {}  # attr: value -> the first subsection showing it
        spread: dict[tuple[str, str], dict[str, set[int]]] = {}  # (attr, tag): value -> subsections
        for child in part.children:
            # What a subsection opens with is what it is about, with its like beside it
            # (<interface type='server'>, <interface type='client'>): not the <hostdev> that
            # the interface subsection "Teaming" shows later.
            roots = [r for ex in child.examples() for r in examples.example_roots(ex)]
            for root in (r for r in roots if r.tag == roots[0].tag):
                for attr, value in root.attrib.items():
                    found.setdefault(attr, {}).setdefault(value, child)
                    spread.setdefault((attr, root.tag), {}).setdefault(value, set()).add(id(child))
        own = [b for n in part.nodes if n.tag != "pre" for b in prose.blocks(n)]
        lead = prose.sentences(own[0].text)[0] if own else ""
        for attr, by_value in found.items():
            # One element must lead two subsections with two values: not the one-per-kind roots
            # of <devices> (<disk type='file'> and <disk type='block'> in one subsection).
            tags = [tag for (name, tag) in spread if name == attr]
            if not any(len(spread[attr, t]) >= 2 and len(set().union(*spread[attr, t].values())) >= 2 for t in tags):
                continue
            per_child: dict[_Part, list[str]] = {}  # "server, client: TCP tunnel"
            for value, child in by_value.items():
                per_child.setdefault(child, []).append(value)
            listing = "; ".join(f"{', '.join(values)}: {child.title}" for child, values in per_child.items())
            for tag in tags:
                self.emit(part, tag, attr, f"{lead} {listing}.".strip(), kind="values")
            for child, values in per_child.items():  # what it says holds for these values
                child.scope = " ".join(filter(None, [child.scope, f"{attr}={','.join(sorted(values))}"]))
