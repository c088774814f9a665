"""Accounts: every page needs a login; the first visit to an empty installation makes the admin."""

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.anonymous]

User = get_user_model()
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def someone():
    return User.objects.create_user("ada", password=PASSWORD)


def labels(response) -> list[str]:
    doc = lxml.html.fromstring(response.content)
    return [label.text_content().strip() for label in doc.xpath("//main//form//label")]


def setup_post(client, username="root", password=PASSWORD, again=None):
    return client.post("/setup/", {"username": username, "password1": password, "password2": again or password})


def test_it_sends_anonymous_visits_to_the_login_page(client, someone, imported):
    for url in ("/", f"/templates/{imported.pk}/", "/import/", f"/templates/{imported.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={url}", url
    response = client.post("/templates/new/", {"name": "sneaky"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not imported.__class__.objects.filter(name="sneaky").exists()


def test_it_sends_every_visit_to_setup_while_no_user_exists(client, imported):
    for url in ("/", f"/templates/{imported.pk}/", "/import/", "/accounts/login/", "/admin/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/setup/"), url
    page = client.get("/setup/")
    assert page.status_code == 200
    assert labels(page) == ["Username:", "Password:", "Password confirmation:"]


def test_it_makes_the_first_account_a_logged_in_superuser(client):
    response = setup_post(client, "root")
    assert (response.status_code, response["Location"]) == (302, "/")
    user = User.objects.get()
    assert (user.username, user.is_superuser, user.is_staff) == ("root", True, True)
    assert user.check_password(PASSWORD)
    library = client.get("/")
    assert library.status_code == 200
    doc = lxml.html.fromstring(library.content)
    assert doc.xpath("//header//*[@class='username']")[0].text_content() == "root"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("x7#q", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("83920175463", "This password is entirely numeric."),
    ],
)
def test_it_refuses_a_weak_first_password_and_says_why(client, password, message):
    response = setup_post(client, password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_it_refuses_two_different_passwords_at_setup(client):
    response = setup_post(client, again=PASSWORD + "x")
    assert response.status_code == 200
    assert "The two password fields didn\u2019t match." in response.content.decode()
    assert not User.objects.exists()


def test_it_never_makes_a_second_admin_through_setup(client):
    setup_post(client, "root")
    for c in (client, Client()):
        assert c.get("/setup/").status_code == 404
        assert setup_post(c, "intruder").status_code == 404
    assert list(User.objects.values_list("username", flat=True)) == ["root"]


def test_it_logs_in_only_with_the_right_password(client, someone):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and labels(page) == ["Username:", "Password:"]
    wrong = client.post("/accounts/login/", {"username": "ada", "password": "not-the-password"})
    assert wrong.status_code == 200
    assert "Please enter a correct username and password." in wrong.content.decode()
    assert client.get("/").status_code == 302
    right = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD, "next": "/import/"})
    assert (right.status_code, right["Location"]) == (302, "/import/")
    assert client.get("/").status_code == 200


def test_it_logs_out_by_post_only(client, someone):
    client.force_login(someone)
    page = client.get("/")
    doc = lxml.html.fromstring(page.content)
    form = doc.xpath("//header//form[@action='/accounts/logout/']")[0]
    assert form.get("method") == "post" and form.xpath(".//button")[0].text_content() == "Log out"
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200  # still logged in
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_it_changes_the_password_and_the_old_one_then_fails(client, someone):
    client.force_login(someone)
    page = client.get("/accounts/password/")
    assert labels(page) == ["Old password:", "New password:", "New password confirmation:"]
    new = "another-long-secret-42"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/done/")
    assert client.get("/").status_code == 200  # the session survives its own password change
    other = Client()
    assert not other.login(username="ada", password=PASSWORD)
    assert other.login(username="ada", password=new)


def test_it_refuses_a_password_change_with_a_wrong_old_password(client, someone):
    client.force_login(someone)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x-long-one-77", "new_password2": "x-long-one-77"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    someone.refresh_from_db()
    assert someone.check_password(PASSWORD)


def test_it_keeps_the_admins_own_login(client, someone):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/").status_code == 200
