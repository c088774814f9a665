"""The library page at scale: paginated, and its query count does not grow with the number of rows."""

from __future__ import annotations

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from builder.editor.views.library import PAGE_SIZE
from tests.bench_library import populate

pytestmark = pytest.mark.django_db


def page_queries(client, params=None, htmx=False) -> tuple[int, lxml.html.HtmlElement]:
    headers = {"HX-Request": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", params or {}, headers=headers)
    assert response.status_code == 200
    doc = lxml.html.fragment_fromstring(response.content.decode(), create_parent="div")
    return len(queries), doc


def count(doc, heading_id: str) -> int:
    return int(doc.get_element_by_id(heading_id).find_class("count")[0].text_content())


def rows(doc, heading_id: str) -> list[str]:
    section = next(s for s in doc.iter("section") if s.get("aria-labelledby") == heading_id)
    return [row.findall("td")[0].find("a").text_content() for row in section.iter("tr") if row.findall("td")]


@pytest.fixture
def viewer():
    from tests.conftest import TEST_USERNAME

    return get_user_model().objects.get(username=TEST_USERNAME)


CASES = [
    {},
    {"q": "template 0"},
    {"kind": "disk"},
    {"kind": "interface", "scope": "teams"},
    {"scope": "mine", "tpage": "2"},
    {"owner": "other-owner", "ppage": "3"},
]


@pytest.mark.parametrize("params", CASES)
@pytest.mark.parametrize("htmx", [False, True])
def test_the_library_page_costs_the_same_queries_for_a_small_and_a_large_library(client, viewer, params, htmx):
    populate(viewer, templates=60, profiles=60)
    small, doc = page_queries(client, params, htmx)
    populate(viewer, templates=1500, profiles=3000, prefix="more ")
    large, doc = page_queries(client, params, htmx)
    assert large == small, f"{small} queries with 60 rows, {large} with thousands"
    assert len(rows(doc, "h-templates")) <= PAGE_SIZE and len(rows(doc, "h-profiles")) <= PAGE_SIZE


def test_the_counts_cover_everything_visible_and_the_pages_show_it_all(client, viewer):
    seen = populate(viewer, templates=130, profiles=260)
    _queries, doc = page_queries(client)
    assert (count(doc, "h-templates"), count(doc, "h-profiles")) == (seen["templates"], seen["profiles"])
    assert len(rows(doc, "h-templates")) == PAGE_SIZE
    # Walking the pages lists each visible template once; another person's private ones never.
    names = []
    for n in range(1, 1 + -(-seen["templates"] // PAGE_SIZE)):
        _, doc = page_queries(client, {"tpage": n}, htmx=True)
        names += rows(doc, "h-templates")
    assert len(names) == len(set(names)) == seen["templates"]
    assert not any(int(name.split()[-1]) % 5 == 2 for name in names)


def test_the_page_links_keep_the_filters_and_the_counts_follow_them(client, viewer):
    populate(viewer, templates=200, profiles=400)
    _, doc = page_queries(client, {"kind": "disk", "q": "0"})
    assert count(doc, "h-profiles") == sum(1 for i in range(400) if i % 2 and i % 5 != 2 and "0" in f"{i:05d}")
    # The templates link the installation's profiles (every fifth) in turn; every other one is a disk.
    linked = list(range(0, 400, 5))
    disks = [i for i in range(200) if i % 5 != 2 and linked[i % len(linked)] % 2]
    assert count(doc, "h-templates") == len(disks)
    nav = next(n for n in doc.iter("nav") if n.get("aria-label") == "Device profiles pages")
    link = next(a for a in nav.iter("a") if a.get("rel") == "next")
    assert "kind=disk" in link.get("href") and "q=0" in link.get("href") and "ppage=2" in link.get("href")
    assert link.get("hx-get") == link.get("href") and link.get("hx-target") == "#results"
    _, page2 = page_queries(client, {"kind": "disk", "q": "0", "ppage": 2}, htmx=True)
    assert set(rows(page2, "h-profiles")).isdisjoint(rows(doc, "h-profiles"))
    assert count(page2, "h-profiles") == count(doc, "h-profiles")


def test_each_row_shows_its_owner_team_revision_and_devices(client, viewer):
    populate(viewer, templates=10, profiles=10)
    _, doc = page_queries(client, {"q": "template 00003"})  # other's, shared with the team
    cells = [td.text_content().strip() for td in doc.get_element_by_id("results").iter("td")]
    assert "other-owner" in cells and "team bench team" in cells and "2" in cells and "revision 1" in cells
