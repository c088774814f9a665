"""The people of the permission matrices (tests/test_permissions.py, tests/test_host_permissions.py).

The `world` fixture (tests/conftest.py) makes them: `owner` and three more in team "ops" (admin,
editor, viewer), `other_team` admin of "dev", and the anonymous visitor, with an API token each.
"""

from __future__ import annotations

from django.test import Client

ACTORS = ["owner", "team_admin", "team_editor", "team_viewer", "other_team", "anonymous"]


def client_for(world, actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client
