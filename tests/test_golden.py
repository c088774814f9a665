"""Golden in/out pairs, one folder per section of the spec (tests/data/<section>/<case>-in/-out.xml).

Each pair is its own edit: the values of -out.xml are written onto -in.xml through the
declarations, and the result must be -out.xml exactly (element order included). Every -out.xml
must validate against libvirt's schema and define on libvirt's test driver.
"""

import pytest
from lxml import etree

from builder.domainxml.assemble import to_string
from builder.domainxml.validate import schema_problems, semantic_problems
from tests.helpers import apply_golden, diff, golden_pairs

PAIRS = golden_pairs()
IDS = [p[0] for p in PAIRS]


def test_it_has_pairs_for_every_section_of_the_2008_spec():
    sections = {case.split("/")[0] for case in IDS}
    assert {"general", "os", "resources", "lifecycle", "features", "clock", "devices", "disk", "interface",
            "input", "graphics", "chardev", "legacy"} <= sections  # fmt: skip


@pytest.mark.parametrize(("case", "src", "out"), PAIRS, ids=IDS)
def test_it_writes_the_out_file(case, src, out, request):
    result, want, changed, _ = apply_golden(src, out)
    problems = diff(result, want)
    if request.config.getoption("--update-golden"):
        if problems:  # leave equivalent files alone, quoting and all
            out.write_text(to_string(result) + "\n")
        return
    assert src.read_bytes() != out.read_bytes(), "a pair must change something"
    assert not problems, f"{case}: writing {changed} gave:\n" + "\n".join(problems)


@pytest.mark.parametrize(("case", "src", "out"), PAIRS, ids=IDS)
def test_it_outputs_what_libvirt_accepts(case, src, out, schema, define):
    root = etree.parse(str(out)).getroot()
    assert schema_problems(root, schema) == []
    assert [p for p in semantic_problems(root) if p.level == "error"] == []
    back = define(etree.tostring(root, encoding="unicode"))
    assert "<name>" in back
