"""Matching the spec's text to declared fields: only sentences about the field itself, the since note
that is its own, the subsections of the values it is for, and the project's summary where the page
says nothing of it.
"""

from __future__ import annotations

from html import escape as html_escape

import pytest
from lxml import html

from builder.specdocs.tooltips import PROJECT, tooltip_for
from builder.specpage import entries, matching, prose, versions
from tests.specdocs_support import FIELDS, find

# -- only text about the field ------------------------------------------------------------------------


def _is_projects_summary(key: str) -> None:
    tip = tooltip_for(FIELDS[key])
    assert (tip.text, tip.from_spec, tip.source, tip.since) == (FIELDS[key].help, False, PROJECT, ""), tip


def test_it_gives_the_mac_address_no_sentence_that_only_mentions_mac_addresses(modern, old, both):
    """libvirt's page says nothing of <mac address=> itself: its "Network interfaces" prose is about
    trustGuestRxFilters ("changes to the interface mac address") and <mac type="static"/>."""
    assert find(modern, "Interface.mac") is None and find(old, "Interface.mac") is None
    _is_projects_summary("Interface.mac")
    assert "trustGuestRxFilters" not in tooltip_for(FIELDS["Interface.mac"]).text


def test_it_takes_from_examples_only_sentences_about_the_attribute():
    blocks = [
        prose.Block(
            "Since 1.2.10, the interface element property \x01trustGuestRxFilters\x02 lets the host trust "
            "changes to the interface mac address. Since 6.6.0, one can keep the provided MAC address "
            'by adding a type="static" attribute to the \x01<mac/>\x02 element.'
        ),
        prose.Block("Provides a bridge from the VM directly to the LAN."),  # the section, not the attribute
    ]
    assert prose.mentioning(blocks, "mac", "address", ["52:54:00:6d:90:01"]) == []
    assert prose.mentioning(blocks, "source", "bridge", ["br0"]) == []
    about = [prose.Block("The source address is where the tunnel listens.")]
    assert prose.mentioning(about, "source", "address", ["230.0.0.1"]) == [about[0].text]
    value = [prose.Block("There is one virtual network called 'default' setup out of the box.")]
    assert prose.mentioning(value, "source", "network", ["default"]) == [value[0].text]
    # Quoting the value while setting another attribute to it is about that other attribute.
    other = [prose.Block("It is possible to connect to the 'midonet' bridge with <virtualport type='midonet'/>.")]
    assert prose.mentioning(other, "source", "bridge", ["midonet"]) == []


def test_it_gives_an_element_its_own_since_not_that_of_an_attribute(modern, both):
    loader = find(modern, "Boot.loader")  # "Xen since 0.1.0, QEMU/KVM since 0.9.12", then secure's "Since 2.1.0"
    assert loader.since == "0.1.0 (Xen), 0.9.12 (QEMU/KVM)"
    assert tooltip_for(FIELDS["Boot.loader"]).since == "0.1.0 (Xen), 0.9.12 (QEMU/KVM)"
    apic = find(modern, "Features.apic")  # "Since 0.10.2 (QEMU only) there is an optional attribute eoi"
    assert apic is not None and "programmable IRQ" in apic.text and apic.since == ""
    assert tooltip_for(FIELDS["Features.apic"]).since == ""
    # An attribute takes its own note, not its element's: "Since 0.0.3; bus attribute since 0.4.3".
    assert find(modern, "Disk.target_bus").since == "0.4.3"


@pytest.mark.parametrize(
    ("markup", "name", "since"),
    [
        (
            "<p>Foo allows X. <span class='since'>Since 1.0</span> there is an attribute <code>bar</code>.</p>",
            "foo",
            "",
        ),
        (
            "<p>Foo allows X. <span class='since'>Since 1.0</span> there is an attribute <code>bar</code>.</p>",
            "bar",
            "1.0",
        ),
        ("<p>Foo does X. <span class='since'>Since 1.0</span></p>", "foo", "1.0"),
        (
            "<p>Foo does X. <span class='since'>Since 1.0</span> The attribute <code>bar</code> does Y. "
            "<span class='since'>Since 2.0</span></p>",
            "foo",
            "1.0",
        ),
        ("<p>Values are <code>a</code> (<span class='since'>since 3.0</span>) and b.</p>", "foo", ""),
    ],
)
def test_it_tells_whose_since_note_it_is(markup, name, since):
    assert versions.since(prose.blocks(html.fromstring(markup)), name) == since


@pytest.mark.parametrize("key", ["CharDevice.source_path", "CharDevice.source_mode"])
def test_it_shows_no_one_types_text_for_a_field_of_several_types(modern, old, both, key):
    """source/@path is for file, dev, unix, pipe and pty: "A file is opened and all data ... is written
    to the file" is what the "Device logfile" subsection says of type='file' alone."""
    assert find(modern, key) is None and find(old, key) is None
    _is_projects_summary(key)
    assert "A file is opened" not in tooltip_for(FIELDS[key]).text


@pytest.mark.parametrize("key", ["Interface.source_address", "Interface.source_port"])
def test_it_shows_no_multicast_text_for_the_tunnel_fields_of_mcast_server_and_client(modern, old, both, key):
    assert find(modern, key) is None and find(old, key) is None
    _is_projects_summary(key)
    assert "address block" not in tooltip_for(FIELDS[key]).text  # true of mcast only


@pytest.mark.parametrize(
    ("key", "scope", "holds"),
    [
        ("Interface.source_address", "type=mcast", False),  # for mcast, server and client
        ("Interface.source_address", "type=client,mcast,server", True),
        ("CharDevice.source_path", "type=file", False),  # for file, dev, unix, pipe and pty
        ("CharDevice.bind_host", "type=tcp", False),  # for udp
        ("CharDevice.source_host", "type=tcp", True),  # for tcp alone
        ("Interface.source_network", "type=network", True),
        ("Interface.target_dev", "type=ethernet", False),  # for every type
        ("Interface.target_dev", "", True),
    ],
)
def test_it_takes_a_value_subsections_text_only_for_a_field_of_those_values_alone(key, scope, holds):
    assert matching.holds_for(FIELDS[key], scope) is holds


@pytest.mark.parametrize("key", ["Interface.script", "Interface.target_dev"])
def test_it_shows_no_ethernet_text_for_fields_of_other_types_too(modern, both, key):
    """The "Generic ethernet connection" subsection tells of <script path=> and <target dev=> for
    type='ethernet'; script is for bridge too, and the tap device name for every type: what it goes
    on to say of type='ethernet' ("that existing device will be used") is not theirs."""
    said = [e for e in modern.entries if (e.parent, e.name) == FIELDS[key].doc_key]
    assert any(e.anchor == "generic-ethernet-connection" and e.scope == "type=ethernet" for e in said)
    assert find(modern, key).scope == ""
    text = tooltip_for(FIELDS[key]).text
    assert "existing device will be used" not in text and "vnetN" not in text and "downscript" not in text


def test_it_takes_an_elements_attribute_from_a_section_titled_after_the_element(modern, both):
    """The section "Overriding the target element" shows <target dev='vnet1'/> and tells how that name is chosen
    and which prefixes are reserved; its sentence turning to the <guest> element is not about it."""
    entry = find(modern, "Interface.target_dev")
    assert (entry.kind, entry.anchor, entry.parent, entry.name, entry.scope) == (
        "heading",
        "overriding-the-target-element",
        "target",
        "dev",
        "",
    )
    assert "name for the created tun device" in entry.text and "'vnet', 'vif', 'macvtap', or 'macvlan'" in entry.text
    assert "guest" not in entry.text and entry.since == ""  # "Since 1.2.7" is the <guest> element's
    tip = tooltip_for(FIELDS["Interface.target_dev"])
    assert tip.source == "libvirt" and tip.url.endswith("#overriding-the-target-element")


@pytest.mark.parametrize(
    ("title", "example", "found"),
    [
        ("Overriding the target element", "<target dev='vnet1'/>", {("target", "dev")}),
        ("Overriding the target element", "<target dev='vnet1' managed='no'/>", set()),  # which one?
        ("Overriding the name", "<target dev='vnet1'/>", set()),  # no element in the title
        ("Overriding the target element", "<source dev='eth0'/>", set()),  # not in the examples
    ],
)
def test_it_reads_a_section_titled_after_an_element_for_its_one_attribute(title, example, found):
    page = (
        f"<html><body><section id='s'><h2>{title}</h2><pre>{html_escape(example)}</pre>"
        "<p>If no target is specified, a name is generated. The <code>other</code> element is "
        "something else.</p></section><section id='t'><h2>Other</h2><dl><dt><code>x</code></dt>"
        "<dd>An x.</dd></dl></section></body></html>"
    )
    headings = [e for e in entries.parse(page.encode()).entries if e.kind == "heading"]
    assert {(e.parent, e.name) for e in headings} == found
    assert all(e.text == "If no target is specified, a name is generated." for e in headings)


def test_it_takes_a_sentence_naming_the_attribute_of_its_element_whatever_the_value(modern, both):
    """The sentence "an optional shell script (given in the path attribute of the <script> element)
    will be run" says what <script path=> is for any type; the sentences after it speak of ethernet."""
    entry = find(modern, "Interface.script")
    assert (entry.kind, entry.anchor, entry.scope) == ("lifted", "generic-ethernet-connection", "")
    assert entry.text == (
        "After creating/opening the tap device, an optional shell script "
        "(given in the path attribute of the <script> element) will be run."
    )
    assert tooltip_for(FIELDS["Interface.script"]).source == "libvirt"


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("A script (given in the <code>path</code> attribute of the <code>&lt;script&gt;</code> element) runs.", True),
        ("When used, the <code>path</code> attribute of the <code>&lt;script&gt;</code> element is run.", False),
        ("For mcast the <code>path</code> attribute of the <code>script</code> element is run.", False),
        ("The tap device runs the <code>path</code> attribute of the mcast <code>script</code> element.", False),
        ("The script path names a file to run.", False),  # shares words, names nothing
    ],
)
def test_it_lifts_only_a_sentence_that_holds_whatever_the_value(sentence, found):
    blocks = prose.blocks(html.fromstring(f"<p>{sentence}</p>"))
    assert (("script", "path") in prose.explicit(blocks, {"mcast"})) is found


def test_it_takes_what_an_attribute_is_a_duplicate_of(modern, both):
    """Per "The address attribute is duplicated as listen attribute in graphics element", <graphics
    listen=> is <listen type='address' address=>, which the page describes."""
    entry = find(modern, "Graphics.listen")
    assert (entry.kind, entry.parent, entry.scope) == ("prose", "graphics", "")
    assert entry.text.startswith("Tells a graphics device to use an address specified in the address attribute")
    assert "IP address or hostname" in entry.text and "duplicated as listen attribute in graphics element" in entry.text
    assert "network attribute" not in entry.text  # the next listen type's
    assert tooltip_for(FIELDS["Graphics.listen"]).source == "libvirt"


def test_it_labels_what_the_page_says_for_each_value_of_a_field_of_several(modern, both):
    """passwd is for vnc and spice; each dd says "a VNC password", "a SPICE password"."""
    entry = find(modern, "Graphics.passwd")
    assert entry.text.startswith("vnc: ") and " spice: " in entry.text
    assert "SPICE password" in entry.text and entry.anchor == "graphical-framebuffers"
    tip = tooltip_for(FIELDS["Graphics.passwd"])
    assert tip.source == "libvirt" and tip.text == entry.text
    assert "rdp: " in find(modern, "Graphics.port").text  # port is for vnc, spice and rdp


def test_it_knows_which_values_a_subsection_is_about(modern, old):
    scopes = {e.anchor: e.scope for e in (*modern.entries, *old.entries) if e.scope}
    assert scopes["multicast-tunnel"] == scopes["elementsNICSMulticast"] == "type=mcast"
    assert scopes["virtual-network"] == "type=network" and scopes["tcp-client-server"] == "type=tcp"
    # <devices> lists one kind of device per subsection: <disk> is no value of a <devices> attribute.
    for key in ("Disk.type", "Disk.device", "Disk.target_bus"):
        assert find(modern, key).scope == "", key
    # The field for type='network' only keeps its subsection's sentence.
    assert find(modern, "Interface.source_network").scope == "type=network"


def test_it_takes_no_sentence_that_only_compares_with_the_attribute():
    """'The address attribute is duplicated as listen attribute in graphics element' describes
    <listen address=>: listen= is what it is compared to (its text comes by ``duplicates``)."""
    markup = (
        "<p>The <code>address</code> attribute is duplicated as <code>listen</code> attribute in "
        "<code>graphics</code> element for backward compatibility.</p>"
    )
    said = prose.attributes(prose.blocks(html.fromstring(markup)), "listen")
    assert set(said) == {("listen", "address")}
    assert set(prose.duplicates(prose.blocks(html.fromstring(markup)), said)) == {("graphics", "listen")}


@pytest.mark.parametrize("key", ["CharDevice.source_host", "CharDevice.source_service", "Interface.source_bridge"])
def test_it_shows_the_summary_where_the_page_describes_only_the_mode(modern, old, both, key):
    """The subsections "TCP client/server" and "Bridge to LAN" describe the connection ("acts as a
    TCP client", "provides a bridge from the VM"), not the host, service or bridge= attribute."""
    assert find(modern, key) is None and find(old, key) is None
    _is_projects_summary(key)
