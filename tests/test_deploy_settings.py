"""Production settings: `check --deploy` is clean, a missing or development secret fails loudly, cookies are
secure, HSTS is on, hosts come from the environment, login throttling is on."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


# The one warning allowed: next year's official holiday calendar is not published yet
# (an operational notice that depends on today's date, not a configuration problem).
OPERATIONAL_WARNINGS = {"notifications.W001"}


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        DJANGO_ENV="production",
        SECRET_KEY="x" * 20 + "-production-secret-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="duban.example.org",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    reported = set(re.findall(r"\(([\w.]+\.[EWI]\d+)\)", output))
    assert reported <= OPERATIONAL_WARNINGS, output


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="duban.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 20 + "-production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "duban.example.org,duban.internal",
}
SETTINGS_SCRIPT = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in "
    "['DEBUG', 'SECRET_KEY', 'ALLOWED_HOSTS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
    " 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_CONTENT_TYPE_NOSNIFF',"
    " 'X_FRAME_OPTIONS', 'AUTHENTICATION_BACKENDS', 'MIDDLEWARE', 'AXES_FAILURE_LIMIT']}, default=str))"
)


def _production_settings(**env: str) -> dict:
    import json

    result = _manage("shell", "-c", SETTINGS_SCRIPT, **{**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_are_secure_and_come_from_the_environment():
    values = _production_settings()
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == PRODUCTION_ENV["SECRET_KEY"]
    assert values["ALLOWED_HOSTS"] == ["duban.example.org", "duban.internal"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    # Login throttling is on in production too: axes checks every password first.
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    middleware = values["MIDDLEWARE"]
    assert middleware.index("axes.middleware.AxesMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    assert values["AXES_FAILURE_LIMIT"] >= 1


def test_production_allows_no_host_unless_told():
    assert _production_settings(ALLOWED_HOSTS="")["ALLOWED_HOSTS"] == []


def test_production_refuses_the_development_secret_key():
    from config.settings import DEV_SECRET_KEY

    result = _manage("check", **{**PRODUCTION_ENV, "SECRET_KEY": DEV_SECRET_KEY})
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_check_deploy_flags_a_weak_secret_key():
    """The clean run above is not vacuous: the same check reports a weak key."""
    result = _manage("check", "--deploy", **{**PRODUCTION_ENV, "SECRET_KEY": "short-key"})
    assert "security.W009" in result.stdout + result.stderr
