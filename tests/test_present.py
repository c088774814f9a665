"""The coloured XML of the preview: every character of the XML shown once, escaped, with its kind."""

from __future__ import annotations

import lxml.html
import pytest

from builder.domainxml.assemble import to_string
from builder.domainxml.parse import parse_domain
from builder.editor.present import coloured
from tests.helpers import CORPUS


def shown_text(html: str) -> str:
    return lxml.html.fragment_fromstring(f"<pre>{html}</pre>").text_content()


def spans(html: str, cls: str) -> list[str]:
    pre = lxml.html.fragment_fromstring(f"<pre>{html}</pre>")
    return [s.text_content() for s in pre.find_class(cls)]


def test_every_corpus_domain_reads_back_as_its_xml():
    for path in CORPUS:
        xml = to_string(parse_domain(path.read_bytes()).root)
        assert shown_text(coloured(xml)) == xml, path.name


@pytest.mark.parametrize(
    "text",
    [
        "<",
        "<<a",
        "a<b",
        "<a b='>'>",
        "&",
        "&amp;",
        "<a/>",
        "</a>",
        "<!-- x",
        "<?x",
        "<![CDATA[<a>]]>",
        '<a\nb="1"\n/>',
        "<script>alert(1)</script>",
        '<a b="&quot;<"/>',
        'x="y"',
    ],
)
def test_any_text_is_escaped_and_kept_whole(text):
    html = coloured(text)
    assert shown_text(html) == text
    assert "<script" not in html


def test_tags_attributes_values_and_comments_get_their_classes():
    html = coloured('<domain type="kvm"><!-- a > b --><?pi x?><name>x="y" &amp;</name><disk device=\'disk\'/></domain>')
    assert spans(html, "nt") == ["<domain", ">", "<name", ">", "</name", ">", "<disk", "/>", "</domain", ">"]
    assert spans(html, "na") == ["type", "device"]
    assert spans(html, "s") == ['"kvm"', "'disk'"]  # not the text x="y" of <name>
    assert spans(html, "c") == ["<!-- a > b -->"]
    assert spans(html, "cp") == ["<?pi x?>"]
