"""Celery app: settings under the CELERY_ namespace, tasks autodiscovered.

    celery -A config worker -B --loglevel=INFO     # one process: worker with embedded beat (development)
    celery -A config worker --loglevel=INFO        # production: workers on as many machines as needed …
    celery -A config beat --loglevel=INFO          # … and exactly one beat

Without REDIS_URL the broker is a folder under var/ (no server needed); its
folders are created when the app is configured, in the worker, beat and any publisher alike.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("duban")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(**_kwargs) -> None:
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
