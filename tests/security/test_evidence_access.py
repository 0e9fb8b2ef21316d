"""Evidence files reach only people who may see the target: no public path, no guessing, no existence oracle.

The role matrix (tests/targets/test_permission_matrix.py) covers who may open /evidence/<id>/; this adds
the ways around it: the stored path under the public prefixes, an unknown id, the API list, the headers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from targets.models import Evidence
from tests.security import hostile_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, dept_econ, dept_housing, alice, bob, sam, ada, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return hostile_world.build(
        org=org, dept_econ=dept_econ, dept_housing=dept_housing, alice=alice, bob=bob, sam=sam, ada=ada
    )


def test_the_evidence_directory_is_outside_every_public_directory():
    evidence = Path(settings.EVIDENCE_ROOT).resolve()
    public = [Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    for directory in public:
        assert not evidence.is_relative_to(directory.resolve()), f"{evidence} is under {directory}"


def test_a_stored_path_is_not_a_url_even_for_someone_allowed(world):
    evidence = world.objects["evidence"]
    name = evidence.file.name  # e.g. 2023/03/<file>.png under EVIDENCE_ROOT
    assert (Path(settings.EVIDENCE_ROOT) / name).exists()
    client = Client()
    client.force_login(world.objects["ada"])
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 200  # the one way in
    for prefix in ("/media/", "/static/", "/evidence/", "/var/evidence/", "/"):
        response = client.get(prefix + name)
        assert response.status_code == 404, f"{prefix}{name}: {response.status_code}"
    traversal = client.get("/static/../var/evidence/" + name)
    assert traversal.status_code == 404


def test_an_outsider_gets_the_same_404_as_for_an_id_that_does_not_exist(world, olga):
    evidence = world.objects["evidence"]
    missing = Evidence.objects.order_by("-pk").first().pk + 1000
    client = Client()
    client.force_login(olga)
    hidden = client.get(reverse("evidence-download", args=[evidence.pk]))
    absent = client.get(reverse("evidence-download", args=[missing]))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.content == absent.content  # nothing tells a hidden file from a missing one
    listing = client.get(reverse("api-target-evidence", args=[world.objects["target"].pk]))
    assert listing.status_code == 404


def test_anonymous_is_sent_to_log_in_without_a_byte_of_the_file(world):
    response = Client().get(reverse("evidence-download", args=[world.objects["evidence"].pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not getattr(response, "streaming", False)


def test_the_download_is_private_and_never_sniffed(world):
    client = Client()
    client.force_login(world.objects["bob"])  # co-department staff: allowed to see
    evidence = world.objects["evidence"]
    response = client.get(reverse("evidence-download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # sniffed from the bytes; the upload claimed text/html
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
