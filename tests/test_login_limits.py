"""Login rate limiting (django-axes): too many wrong passwords lock an account out, on the site's
login page and the admin's, counted by the client's address.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from tests.security_support import (
    PASSWORD,
    assert_security_headers,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


# -- login rate limiting ---------------------------------------------------------------------------


def login(client, username, password, url=None, ip="10.0.0.1"):
    url = url or reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.anonymous
def test_too_many_wrong_passwords_lock_the_account_out_with_a_clear_page(client):
    User.objects.create_user("ada", password=PASSWORD)
    User.objects.create_user("bea", password=PASSWORD)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = login(client, "ada", "wrong")
        assert response.status_code == 200  # the login page again, with its error
        assert b"Please enter a correct username and password" in response.content
    locked = login(client, "ada", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page and f"after {limit} wrong passwords" in page
    assert "Try again in 0:15:00" in page
    assert_security_headers(locked)

    # Even the right password is refused now, on the login page and on the admin's.
    right = login(client, "ada", PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    admin = login(Client(), "ada", PASSWORD, url="/admin/login/")
    assert admin.status_code == 429

    # Another user from the same address, and the same user from another address, go on.
    other = Client()
    assert login(other, "bea", PASSWORD).status_code == 302
    elsewhere = Client()
    assert login(elsewhere, "ada", PASSWORD, ip="10.0.0.2").status_code == 302

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    again = login(Client(), "ada", PASSWORD)
    assert again.status_code == 302


@pytest.mark.anonymous
def test_the_admin_login_counts_failures_too(client):
    User.objects.create_superuser("root", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "root", "wrong", url="/admin/login/").status_code == 200
    assert login(client, "root", "wrong", url="/admin/login/").status_code == 429
    assert login(Client(), "root", PASSWORD).status_code == 429  # and the site's login page knows


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_counted():
    from django.test import RequestFactory

    from builder.security import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
