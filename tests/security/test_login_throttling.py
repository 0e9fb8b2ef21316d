"""Login throttling (django-axes): a username guessed from one address is locked for a while, nobody else is."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LOCKOUT_TEXT = "登录失败次数过多"


def _login(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, username: str, times: int, **extra) -> None:
    for _ in range(times):
        response = _login(client, username, "wrong-password", **extra)
        assert response.status_code == 200 and not _logged_in(client)


def _lock_out(client, username: str, limit: int, **extra) -> None:
    """The limit-th wrong password is answered with the lockout page itself."""
    _fail(client, username, limit - 1, **extra)
    assert _login(client, username, "wrong-password", **extra).status_code == 429


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_after_the_limit_even_the_right_password_is_refused_with_the_chinese_message(client, alice, clock, settings):
    _lock_out(client, "alice", settings.AXES_FAILURE_LIMIT)
    response = _login(client, "alice", "pw-alice")
    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert LOCKOUT_TEXT in page and f"请 {minutes} 分钟后再试" in page
    assert 'name="csrfmiddlewaretoken"' in page  # still the login form, usable once the cool-off is over


def test_one_failure_fewer_than_the_limit_still_logs_in_and_resets_the_count(client, alice, clock, settings):
    _fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "alice", "pw-alice").status_code == 302 and _logged_in(client)
    client.logout()
    # The success reset the count: as many failures again still leave the account open.
    _fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "alice", "pw-alice").status_code == 302 and _logged_in(client)


def test_another_user_and_the_same_user_elsewhere_are_not_locked(client, alice, bob, clock, settings):
    _lock_out(client, "alice", settings.AXES_FAILURE_LIMIT)
    assert _login(client, "alice", "pw-alice").status_code == 429

    assert _login(client, "bob", "pw-bob").status_code == 302  # same address, another username
    client.logout()
    assert _login(client, "alice", "pw-alice", REMOTE_ADDR="10.1.2.3").status_code == 302  # alice's own desk


def test_the_lock_lifts_after_the_cool_off(client, alice, clock, settings):
    _lock_out(client, "alice", settings.AXES_FAILURE_LIMIT)
    clock.shift(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert _login(client, "alice", "pw-alice").status_code == 429
    # A try during the lock starts the cool-off again: two minutes later it is still locked.
    clock.shift(timedelta(minutes=2))
    assert _login(client, "alice", "pw-alice").status_code == 429
    clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    response = _login(client, "alice", "pw-alice")
    assert response.status_code == 302 and _logged_in(client)


def test_the_admin_login_is_throttled_too(client, ada, clock, settings):
    ada.is_staff = True
    ada.save(update_fields=["is_staff"])
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "ada", "password": "wrong-password"})
    response = client.post(url, {"username": "ada", "password": "pw-ada"})
    assert response.status_code == 429 and LOCKOUT_TEXT in response.content.decode()
    assert not _logged_in(client)


def test_behind_our_proxy_a_forged_forwarded_for_does_not_escape_the_lock(client, alice, clock, settings):
    """The proxy appends the real address; what the client wrote further left is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "alice", "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7", **proxy)
    forged = _login(client, "alice", "pw-alice", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7", **proxy)
    assert forged.status_code == 429
    # Another client behind the same proxy is another address.
    other = _login(client, "alice", "pw-alice", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert other.status_code == 302
