"""What a refused request must leave as it was: every row count of the apps, and the upload directories."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps

APPS = ("reports", "targets", "notifications")


def snapshot() -> dict[str, int]:
    """Row count of every model of the apps that uploads can write to."""
    return {m._meta.label: m.objects.count() for a in APPS for m in apps.get_app_config(a).get_models()}


def files_under(dirs: list[Path]) -> list[Path]:
    return sorted(p for d in dirs if Path(d).exists() for p in Path(d).rglob("*") if p.is_file())
