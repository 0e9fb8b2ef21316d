"""Login and logout cannot be turned against the user: no open redirect, no logout by a link, a new session id."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example", "javascript:alert(1)"],
)
def test_login_never_redirects_off_site(alice, next_url):
    response = Client().post(reverse("login"), {"username": "alice", "password": "pw-alice", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_follows_a_local_next(alice):
    target = reverse("notifications:preferences")
    response = Client().post(reverse("login"), {"username": "alice", "password": "pw-alice", "next": target})
    assert response["Location"] == target


def test_a_logout_link_does_not_log_out(alice):
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405  # an <img src=/logout/> elsewhere does nothing
    assert "_auth_user_id" in client.session


def test_login_gives_a_new_session_id(alice):
    client = Client()
    session = client.session  # a session that exists before the login, as one an attacker planted would
    session["planted"] = True
    session.save()
    before = session.session_key
    assert client.cookies["sessionid"].value == before
    client.post(reverse("login"), {"username": "alice", "password": "pw-alice"})
    assert client.session.session_key != before
