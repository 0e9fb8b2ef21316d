"""Production settings: `check --deploy` is clean and a missing secret fails loudly."""

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
