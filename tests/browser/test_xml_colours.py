"""The XML on the pages is sent as plain text and coloured in the browser (static/js/editor.js):
every character of it shown once, as text, with its kind; nothing in it ever becomes markup."""

import pytest
from lxml import etree
from playwright.sync_api import expect

from builder.domainxml.assemble import to_string
from builder.domainxml.parse import parse_domain
from builder.library import editing
from tests.helpers import CORPUS

pytestmark = pytest.mark.django_db(transaction=True)

# In the page: colour each text in a <pre class="xml"> of its own; say what came of it.
COLOUR_ALL = """texts => texts.map(text => {
  const pre = document.createElement("pre");
  pre.className = "xml";
  pre.textContent = text;
  colourXml(pre);
  const kinds = {};
  for (const cls of ["nt", "na", "s", "c", "cp"]) {
    kinds[cls] = [...pre.querySelectorAll("span." + cls)].map(s => s.textContent);
  }
  const others = pre.querySelectorAll(":not(span)").length;
  return {text: pre.textContent, others, nested: pre.querySelectorAll("span span").length, kinds};
})"""


def colour(page, texts: list[str]) -> list[dict]:
    if not page.url.startswith(page.base):
        page.goto(f"{page.base}/")
    return page.evaluate(COLOUR_ALL, texts)


def test_every_corpus_domain_reads_back_as_its_xml_with_a_span_per_tag(page):
    roots = [parse_domain(path.read_bytes()).root for path in CORPUS]
    xmls = [to_string(root) for root in roots]
    for path, root, xml, shown in zip(CORPUS, roots, xmls, colour(page, xmls), strict=True):
        assert shown["text"] == xml, path.name
        assert shown["others"] == 0 and shown["nested"] == 0, path.name
        opening = [t for t in shown["kinds"]["nt"] if t.startswith("<") and not t.startswith("</")]
        assert len(opening) == sum(1 for el in root.iter() if isinstance(el.tag, str)), path.name
        assert len(shown["kinds"]["c"]) == sum(1 for _ in root.iter(etree.Comment)), path.name


ODD = [
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
    "<img src=x onerror=alert(1)>",
    '<a b="&quot;<"/>',
    'x="y"',
]


def test_any_text_is_kept_whole_and_never_becomes_markup(page):
    for text, shown in zip(ODD, colour(page, ODD), strict=True):
        assert shown["text"] == text
        assert shown["others"] == 0 and shown["nested"] == 0, text


def test_tags_attributes_values_and_comments_get_their_classes(page):
    (shown,) = colour(
        page, ['<domain type="kvm"><!-- a > b --><?pi x?><name>x="y" &amp;</name><disk device=\'disk\'/></domain>']
    )
    kinds = shown["kinds"]
    assert kinds["nt"] == ["<domain", ">", "<name", ">", "</name", ">", "<disk", "/>", "</domain", ">"]
    assert kinds["na"] == ["type", "device"]
    assert kinds["s"] == ['"kvm"', "'disk'"]  # not the text x="y" of <name>
    assert kinds["c"] == ["<!-- a > b -->"]
    assert kinds["cp"] == ["<?pi x?>"]


def test_the_preview_is_coloured_on_the_page_and_after_each_keystroke(page):
    template = editing.new_template("colours")
    page.goto(f"{page.base}/templates/{template.pk}/")
    preview = page.locator("#xml-preview")
    expect(preview.locator("span.nt").first).to_have_text("<domain")
    page.locator("#section-resources").get_by_label("Virtual CPUs", exact=True).fill("3")
    expect(preview).to_contain_text("<vcpu>3</vcpu>")
    expect(preview.locator("span.nt", has_text="<vcpu")).to_have_count(1)  # the new text, coloured too
    assert preview.locator("span.na").count() > 0
