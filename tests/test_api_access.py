"""The HTTP API under /api/v1/: token auth, and which templates each user may list and see.

Requests carry `Authorization: Token ...` of users made here; the `client` fixture's own session
(the superuser "tester") must not count for anything.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from builder.api.models import ApiToken
from builder.library.models import DomainTemplate, Membership, Team, TemplateRevision
from tests.api_support import API, GUEST, PARAMETERS, get, make_template, token_for

pytestmark = pytest.mark.django_db

User = get_user_model()

# -- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "", "Token", "Token ", "Bearer abc", "abc", "Basic YWRhOnB3", "Token not-a-real-token"],
    ids=["missing", "empty", "scheme-only", "scheme-and-space", "bearer", "bare", "basic", "bad-token"],
)
def test_it_answers_401_json_without_a_valid_token(client, ada_token, guest, header):
    # `client` is logged in as the superuser "tester": a session is not a way into the API.
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    for url in ("/templates/", f"/templates/{guest.pk}/", f"/templates/{guest.pk}/domain.xml?guest=x"):
        response = client.get(API + url, **extra)
        assert response.status_code == 401, url
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"], url
        assert response["WWW-Authenticate"] == "Token"
    response = client.post(API + "/templates/import", GUEST, content_type="application/xml", **extra)
    assert response.status_code == 401
    assert DomainTemplate.objects.count() == 1


@pytest.mark.anonymous
def test_an_anonymous_visitor_gets_401_json_not_the_login_page(client, guest):
    response = client.get(f"{API}/templates/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication needed: send 'Authorization: Token TOKEN'."}


@pytest.mark.anonymous
def test_it_answers_401_rather_than_the_setup_page_while_no_user_exists(client):
    assert not User.objects.exists()
    response = client.get(f"{API}/templates/", HTTP_AUTHORIZATION="Token whatever")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_revoked_token_gets_401(client, ada, guest):
    token, plaintext = ApiToken.issue(ada, "soon gone")
    assert get(client, "/templates/", plaintext).status_code == 200
    token.revoke()
    response = get(client, "/templates/", plaintext)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_an_inactive_users_token_gets_401(client, ada, ada_token):
    ada.is_active = False
    ada.save()
    assert get(client, "/templates/", ada_token).status_code == 401


def test_it_records_when_a_token_was_last_used(client, ada, ada_token):
    token = ApiToken.objects.get(user=ada)
    assert token.last_used is None
    get(client, "/templates/", ada_token)
    token.refresh_from_db()
    assert token.last_used is not None


# -- listing and detail -------------------------------------------------------------------------


def test_it_lists_only_the_templates_the_user_may_see(client, ada, bea, ada_token):
    team = Team.objects.create(name="ops")
    Membership.objects.create(team=team, user=ada)
    mine = make_template(ada, name="mine")
    bea_private = make_template(bea, name="bea-private")
    bea_public = make_template(bea, name="bea-public", visibility="everyone")
    bea_team = make_template(bea, name="bea-team", visibility="team", team=team)
    other_team = Team.objects.create(name="elsewhere")
    bea_other_team = make_template(bea, name="bea-other-team", visibility="team", team=other_team)
    installation = make_template(None, name="installation")

    response = get(client, "/templates/", ada_token)

    assert response.status_code == 200
    items = response.json()
    assert sorted(i["name"] for i in items) == ["bea-public", "bea-team", "installation", "mine"]
    ids = {i["id"] for i in items}
    assert {bea_private.pk, bea_other_team.pk}.isdisjoint(ids)
    assert {mine.pk, bea_public.pk, bea_team.pk, installation.pk} == ids
    # ... and bea's own token sees her private one but not ada's.
    names = {i["name"] for i in get(client, "/templates/", token_for(bea)).json()}
    assert "bea-private" in names and "mine" not in names


def test_it_describes_each_template(client, ada, ada_token, guest):
    team = Team.objects.create(name="ops")
    guest.team = team
    guest.save()

    item = get(client, f"/templates/{guest.pk}/", ada_token).json()

    assert set(item) == {
        "id", "name", "description", "owner", "team", "visibility", "domain_type", "vcpus", "memory_kib",
        "parameters", "latest_revision", "published_revision", "updated",
    }  # fmt: skip
    assert item["id"] == guest.pk and item["name"] == "guest"
    assert (item["owner"], item["team"], item["visibility"]) == ("ada", "ops", "private")
    assert (item["domain_type"], item["vcpus"], item["memory_kib"]) == ("kvm", 2, 512 * 1024)
    assert item["parameters"] == [{"name": n, "default": d} for n, d in PARAMETERS]
    assert item["latest_revision"] == TemplateRevision.objects.filter(template=guest).count() >= 1
    assert item["published_revision"] is None
    assert get(client, "/templates/", ada_token).json() == [item]


def test_an_installation_template_has_no_owner_or_team(client, ada_token):
    template = make_template(None, name="shared")
    item = get(client, f"/templates/{template.pk}/", ada_token).json()
    assert (item["owner"], item["team"]) == (None, None)


def test_someone_elses_private_template_is_not_found_like_a_missing_one(client, bea, ada_token):
    theirs = make_template(bea, name="secret", params=PARAMETERS)
    missing = theirs.pk + 1000
    for url in (f"/templates/{theirs.pk}/", f"/templates/{theirs.pk}/domain.xml?guest=x"):
        response = get(client, url, ada_token)
        gone = get(client, url.replace(str(theirs.pk), str(missing)), ada_token)
        assert response.status_code == gone.status_code == 404
        assert response.json() == gone.json()
        assert "secret" not in response.content.decode()
