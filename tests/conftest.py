"""Shared fixtures: personas, sample paths, and the rule for real services.

Integration and browser tests ask for a service through `require_service`.
When it is missing they skip with the reason, except under CI=true, where a
missing service is a failure: CI must prove them, not skip them.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(available: bool, what: str) -> None:
    """Skip (or, under CI=true, fail) when a real service is missing."""
    if available:
        return
    message = f"{what} is not available"
    if CI:
        pytest.fail(f"{message}, and CI=true makes this test mandatory")
    pytest.skip(message)  # reached only when CI is not set


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and before they are dropped, an end to the sessions still open on the
    PostgreSQL one: a live-server thread's persistent connection (CONN_MAX_AGE) or a SIGKILLed gunicorn's
    backend that the server has not reaped yet would otherwise make DROP DATABASE fail ("being accessed by
    other users") and leave the database behind."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def require_postgres(settings):
    from django.db import connection

    require_service(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    require_service(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    require_service(Path(path).exists() or bool(shutil.which("chromium")), f"Chromium at {path}")
    return path if Path(path).exists() else shutil.which("chromium")


# Debian's Chromium on a closed network: without these flags it floods the network with refused connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def open_browser(chromium_path, tmp_path):
    """Open Chromium windows with fresh profiles: `open_browser(width=390, height=844, **playwright_options)`
    returns a BrowserContext; all are closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        contexts = []

        def open_context(*, width: int = 390, height: int = 844, **options):
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / f"profile-{len(contexts)}"),
                executable_path=chromium_path,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": width, "height": height},
                **options,
            )
            context.set_default_timeout(15000)
            contexts.append(context)
            return context

        try:
            yield open_context
        finally:
            for context in contexts:
                context.close()


@pytest.fixture
def sample_path():
    def _path(stem: str) -> Path:
        matches = sorted(SAMPLES.glob(f"{stem}*"))
        assert matches, f"no sample {stem}"
        return matches[0]

    return _path


# --- personas -------------------------------------------------------------


@pytest.fixture
def org(db):
    from targets.models import Organisation

    return Organisation.objects.create(name="测试镇")


@pytest.fixture
def other_org(db):
    from targets.models import Organisation

    return Organisation.objects.create(name="邻镇")


@pytest.fixture
def dept_econ(org):
    return org.departments.create(name="经济发展办")


@pytest.fixture
def dept_housing(org):
    return org.departments.create(name="房管办")


def _member(org, username, role, department=None):
    from django.contrib.auth import get_user_model

    from targets.models import Membership

    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username, email=f"{username}@example.org"
    )
    Membership.objects.create(user=user, organisation=org, department=department, role=role)
    return user


@pytest.fixture
def alice(org, dept_econ):
    """Staff of the economic development office."""
    return _member(org, "alice", "staff", dept_econ)


@pytest.fixture
def bob(org, dept_housing):
    """Staff of another department (housing)."""
    return _member(org, "bob", "staff", dept_housing)


@pytest.fixture
def sam(org):
    """Supervisor of the town."""
    return _member(org, "sam", "supervisor")


@pytest.fixture
def ada(org):
    """Administrator of the town."""
    return _member(org, "ada", "admin")


@pytest.fixture
def olga(other_org):
    """Administrator of another organisation: an outsider to `org`."""
    return _member(other_org, "olga", "admin")


@pytest.fixture(autouse=True)
def _browser_tests_use_the_orm_beside_playwright(request, monkeypatch):
    """Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there
    unless told otherwise. Scoped to browser tests so it never leaks into other tests or subprocesses."""
    if request.node.get_closest_marker("browser"):
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
