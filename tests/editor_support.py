"""A browser's view of the builder's pages, for the tests that drive them through Django's test client.

Forms are posted the way the pages post them: every input, select and textarea of the page's
form with the value the page gave it, plus the button pressed (its formaction and name/value).
"""

from __future__ import annotations

import lxml.html
from django.test import Client
from lxml import etree

from builder.domainxml.compare import differences
from builder.library import rendering, services
from builder.library.models import DeviceSlot, DomainTemplate
from tests.helpers import SHARED, form_values

XMLPARSE = SHARED / "corpus/virt-manager/xmlparse"
BOOTORDER = XMLPARSE / "bootorder-in.xml"
DISK = (
    "<disk type='file' device='disk'>\n  <driver name='qemu' type='qcow2'/>\n"
    "  <source file='/var/lib/libvirt/images/shared.qcow2'/>\n  <target dev='vdb' bus='virtio'/>\n</disk>"
)
TABLET = "<input type='tablet' bus='usb'/>"
MULTICAST = "11:22:33:44:55:66"


# -- the pages and their forms --------------------------------------------------------------


def html_of(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def editor_page(client, template) -> str:
    response = client.get(f"/templates/{template.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def editor_form(client, template) -> dict[str, list[str]]:
    return form_values(lxml.html.fromstring(editor_page(client, template)).get_element_by_id("editor-form"))


def profile_form(client, profile) -> dict[str, list[str]]:
    doc = html_of(client.get(f"/profiles/{profile.pk}/"))
    return form_values(doc.find_class("editor-form")[0])


def raw_form(client, template) -> dict:
    """The raw XML page's form of a template: its text and the revision it was loaded on."""
    doc = html_of(client.get(f"/templates/{template.pk}/xml/"))
    form = doc.xpath("//form[contains(@class, 'raw')]")[0]
    return {
        "xml": form.get_element_by_id("xml").text_content(),
        "base_revision": form.xpath(".//input[@name='base_revision']")[0].get("value"),
    }


def changed(data: dict[str, list[str]], edits: dict[str, str | None]) -> dict[str, list[str]]:
    """The form data with some fields typed in (None: a checkbox unticked)."""
    data = {k: list(v) for k, v in data.items()}
    for name, value in edits.items():
        if value is None:
            data.pop(name, None)
        else:
            assert name in data or value == "on", f"the page has no field {name}"
            data[name] = [value]
    return data


def press(client, html: str, label: str, within: str | None = None, edits: dict | None = None):
    """Press the button labelled `label` (inside the element with id `within`) of the editor form."""
    doc = lxml.html.fromstring(html)
    form = doc.get_element_by_id("editor-form")
    scope = doc.get_element_by_id(within) if within else form
    buttons = [b for b in scope.iter("button") if b.text_content().strip() == label]
    assert len(buttons) == 1, f"{len(buttons)} buttons labelled {label!r}"
    button = buttons[0]
    assert button.get("disabled") is None, f"{label!r} is disabled"
    data = changed(form_values(form), edits or {})
    if button.get("name"):
        data[button.get("name")] = [button.get("value", "")]
    return client.post(button.get("formaction") or form.get("action"), data)


def logged_in_clients() -> tuple[Client, Client]:
    """Two browsers of their own (own sessions), both logged in as the tests' user."""
    from tests.conftest import test_user

    clients = Client(), Client()
    for c in clients:
        c.force_login(test_user())
    return clients


# -- what the pages show --------------------------------------------------------------------


def text_of(doc, element_id: str) -> str:
    element = doc.get_element_by_id(element_id, None)
    if element is None and element_id.startswith("err-") and empties_error_boxes(doc):
        return ""  # a preview swaps in only the boxes with messages, after emptying them all
    return " ".join(element.text_content().split())


def empties_error_boxes(doc) -> bool:
    swaps = doc.xpath("//div[starts-with(@hx-swap-oob, 'innerHTML:')]")
    return any(s.get("hx-swap-oob").endswith("-form .field-errors") and len(s) == 0 for s in swaps)


def input_value(doc, element_id: str) -> str | None:
    el = doc.get_element_by_id(element_id)
    if el.tag == "select":
        chosen = [o for o in el.iter("option") if o.get("selected") is not None]
        return chosen[0].get("value") if chosen else None
    return el.get("value")


def preview_xml(response) -> etree._Element:
    return tree(html_of(response).get_element_by_id("xml-preview").text_content())


def raw_text(response) -> str:
    return html_of(response).get_element_by_id("xml").text_content()


def rendered(response) -> etree._Element:
    pre = next(p for p in html_of(response).iter("pre") if p.get("aria-label") == "Rendered domain XML")
    return tree(pre.text_content())


# -- what the database holds ----------------------------------------------------------------


def stored(template) -> tuple:
    """Everything the database holds about a template."""
    t = DomainTemplate.objects.get(pk=template.pk)
    slots = list(t.slots.order_by("position").values_list("position", "profile_id", "xml"))
    return t.name, t.xml, t.parameters, slots


def tree(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode())


def current_xml(template) -> str:
    """The template's whole domain as the database has it now."""
    return rendering.render_xml(DomainTemplate.objects.get(pk=template.pk))


def domain(template) -> etree._Element:
    return tree(current_xml(template))


def changes(before: str, after: str) -> list[str]:
    return differences(tree(before), tree(after), reorder_top=False)


def device_tags(root: etree._Element) -> list[str]:
    return [d.tag for d in rendering.device_nodes(root)]


def errors_of(root) -> list:
    return [p for p in services.check(root) if p.level == "error"]


def slots(template) -> list[DeviceSlot]:
    return rendering.slots_of(template)
