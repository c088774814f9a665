"""What the tests of API tokens share: whether a token works, the account page's token table, and
the api_token command's output."""

from __future__ import annotations

from io import StringIO

import lxml.html
from django.core.management import call_command
from django.core.management.base import CommandError


def works(client, plaintext: str) -> bool:
    response = client.get("/api/v1/templates/", HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert response.status_code in (200, 401)
    return response.status_code == 200


def token_rows(doc) -> dict[str, dict[str, str]]:
    """The account page's token table: {name: {column heading: cell text}}."""
    headings = [th.text_content().strip() for th in doc.xpath("//table[@class='tokens']//th")]
    rows = [[td.text_content().strip() for td in tr.xpath("td")] for tr in doc.xpath("//table//tr[td]")]
    return {cells[0]: dict(zip(headings, cells, strict=True)) for cells in rows}


def api_token(*args) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("api_token", *args, stdout=out, stderr=err)
    except CommandError as e:
        return out.getvalue(), err.getvalue(), e.returncode
    return out.getvalue(), err.getvalue(), 0


def page(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)
