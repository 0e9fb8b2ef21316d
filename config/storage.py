"""Static files in production: hashed, compressed names after `collectstatic`, and pages that still render
without it.

WhiteNoise's manifest storage raises "Missing staticfiles manifest entry" from every `{% static %}` when
`collectstatic` has not run, so a deployment that followed the README up to `gunicorn` answered 500 on every
page. Here a name missing from the manifest falls back to its plain name, which WhiteNoise serves from the app
and project static directories (`WHITENOISE_USE_FINDERS`). After `collectstatic --noinput` (the README's
production step) the hashed, compressed, long-cached files are used as before.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # no manifest (collectstatic not run) or a file added since: the plain name
            return name
