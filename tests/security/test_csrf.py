"""CSRF on every form and every write: pages and the session-authenticated API refuse a POST without the token.

Every POST form on every page carries the token, and every page write endpoint has a form somewhere (so
the walk sees them all). Each endpoint is posted real, valid data twice: without the token it is refused
(403, Django's CSRF page) and nothing changes; with the token the same data does change something, which
shows the refusal was the CSRF check and not bad data. Token-authenticated API clients are exempt by design.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.security import hostile_world
from tests.security.site_map import API_POSTS, MORE_PAGES, PAGE_POSTS, PAGES

pytestmark = pytest.mark.django_db

# The one-click unsubscribe (RFC 8058) is posted by mail clients without a session: its signed URL is the
# credential, so its view is csrf_exempt (notifications/views.py).
EXEMPT_ACTIONS = ("/notifications/unsubscribe/",)
WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def world(org, dept_econ, dept_housing, alice, bob, sam, ada, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return hostile_world.build(
        org=org, dept_econ=dept_econ, dept_housing=dept_housing, alice=alice, bob=bob, sam=sam, ada=ada
    )


class _Forms(HTMLParser):
    """POST forms of a page: their action and whether a csrfmiddlewaretoken input is inside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._open = {"action": attrs.get("action") or "", "token": False}
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attrs.get("name") == "csrfmiddlewaretoken":
            self._open["token"] = bool(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def test_every_post_form_on_every_page_has_the_token(world):
    posted_to: set[str] = set()
    pages = [*PAGES.items(), *MORE_PAGES]
    for persona in ("ada", "sam", "alice", "bob", None):
        client = Client()
        if persona:
            client.force_login(world.objects[persona])
        for name, kwargs in pages:
            url = reverse(name, kwargs=kwargs(world))
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            parser = _Forms()
            parser.feed(response.content.decode())
            for form in parser.forms:
                action = urlparse(urljoin(url, form["action"])).path
                if action.startswith(EXEMPT_ACTIONS):
                    continue
                assert form["token"], f"{persona} {url}: a POST form to {action} without csrfmiddlewaretoken"
                match = resolve(action)
                posted_to.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    # Every page write endpoint showed up as a form: none escaped the walk.
    assert sorted(set(PAGE_POSTS) - posted_to) == []


def fingerprint() -> list:
    """Every row of the tables a page write can touch, all columns."""
    labels = [
        "targets.Target",
        "targets.Milestone",
        "targets.ProgressUpdate",
        "targets.TargetEvent",
        "targets.Evidence",
        "reports.Report",
        "reports.Commitment",
        "reports.Reconciliation",
        "notifications.NotificationPreference",
    ]
    rows = [list(apps.get_model(label).objects.order_by("pk").values_list()) for label in labels]
    rows.append(sorted(apps.get_model("targets.Target").co_departments.through.objects.values_list()))
    return rows


def _version(world, name: str = "third") -> int:
    return type(world.objects[name]).objects.get(pk=world.objects[name].pk).version


def _milestone(world):
    return world.objects["third"].milestones.order_by("due_date").first()


def _pending_department(world) -> dict:
    """A proposal of the second target still to confirm (the world's own one is confirmed), by its department."""
    from reports.models import Reconciliation

    second = world.objects["second"]
    Reconciliation.objects.get_or_create(
        target=second,
        report=world.objects["review"],
        defaults={"year": 2023, "proposed_verdict": "no_evidence", "verdict": "no_evidence"},
    )
    return {"department": second.lead_department_id or "none"}


def _commitment_fields(world) -> dict:
    from reports.forms import CommitmentEditForm

    form = CommitmentEditForm(instance=world.objects["open_commitment"])
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data["metric"] = "改过的指标"
    return data


# Valid data for each page write (who posts it, where, what): with the token each one changes something.
POSTS = {
    "logout": lambda w: ("alice", {}, {}),
    "login": lambda w: (None, {}, {"username": "alice", "password": "pw-alice"}),
    "target-progress": lambda w: (
        "alice",
        {"pk": w.objects["third"].pk},
        {"version": _version(w), "value": 1000, "confirm": "on"},
    ),
    "target-lifecycle": lambda w: (
        "ada",
        {"pk": w.objects["third"].pk},
        {"action": "sign_off", "version": _version(w), "note": "核实完成"},
    ),
    "target-request-extension": lambda w: (
        "alice",
        {"pk": w.objects["third"].pk},
        {"version": _version(w), "note": "需要延期", "new_due_date": "2024-06-30"},
    ),
    "target-decide-extension": lambda w: (
        "sam",
        {"pk": w.objects["target"].pk},
        {"version": _version(w, "target"), "decision": "approve", "new_due_date": "2024-03-31"},
    ),
    "target-extend": lambda w: (
        "sam",
        {"pk": w.objects["third"].pk},
        {"version": _version(w), "new_due_date": "2024-06-30", "note": "同意"},
    ),
    "target-request-signoff": lambda w: (
        "alice",
        {"pk": w.objects["third"].pk},
        {"version": _version(w), "note": "已完成"},
    ),
    "target-decide-signoff": lambda w: (
        "sam",
        {"pk": w.objects["second"].pk},
        {"version": _version(w, "second"), "decision": "approve"},
    ),
    "target-comment": lambda w: ("bob", {"pk": w.objects["third"].pk}, {"text": "评论"}),
    "target-escalate": lambda w: (
        "sam",
        {"pk": w.objects["third"].pk},
        {"version": _version(w), "note": "督办", "escalate": "True"},
    ),
    "target-cancel": lambda w: ("ada", {"pk": w.objects["third"].pk}, {"version": _version(w), "note": "不再需要"}),
    "target-reassign": lambda w: (
        "ada",
        {"pk": w.objects["third"].pk},
        {"version": _version(w), "lead_department": w.objects["target"].co_departments.get().pk},
    ),
    "milestone-add": lambda w: (
        "ada",
        {"pk": w.objects["third"].pk},
        {"version": _version(w), "title": "新节点", "due_date": "2023-08-31", "expected_percent": 60},
    ),
    "milestone-done": lambda w: ("alice", {"pk": _milestone(w).pk}, {"version": _version(w)}),
    "milestone-edit": lambda w: (
        "ada",
        {"pk": _milestone(w).pk},
        {"version": _version(w), "title": "改过的节点", "due_date": "2023-04-28", "expected_percent": 25},
    ),
    "milestone-cancel": lambda w: ("ada", {"pk": _milestone(w).pk}, {"version": _version(w), "note": "不需要"}),
    "reports:accept-all": lambda w: ("ada", {"pk": w.objects["report"].pk}, {}),
    "reports:commitment-edit": lambda w: ("ada", {"pk": w.objects["open_commitment"].pk}, _commitment_fields(w)),
    "reports:commitment-accept": lambda w: ("ada", {"pk": w.objects["open_commitment"].pk}, {}),
    "reports:commitment-reject": lambda w: (
        "ada",
        {"pk": w.objects["open_commitment"].pk},
        {f"c{w.objects['open_commitment'].pk}-reason": "不是目标"},
    ),
    "reports:commitment-reopen": lambda w: ("ada", {"pk": w.objects["rejected"].pk}, {}),
    "reports:list": lambda w: (
        "ada",
        {},
        {
            "organisation": w.objects["target"].organisation_id,
            "file": SimpleUploadedFile("2024年工作报告.txt", "2024年主要目标：新建道路8公里。".encode()),
        },
    ),
    "reports:reconciliation-run": lambda w: (
        "sam",
        {},
        {"organisation": w.objects["target"].organisation_id, "year": 2023},
    ),
    "reports:reconciliation-decide": lambda w: (
        "sam",
        {"pk": w.objects["reconciliation"].pk},
        {"verdict": "missed", "reason": "复核未达标"},
    ),
    "reports:reconciliation-confirm-department": lambda w: (
        "sam",
        {"organisation": w.objects["target"].organisation_id, "year": 2023},
        _pending_department(w),
    ),
    "notifications:preferences": lambda w: ("alice", {}, {"digest": "daily", "reminders": "on"}),
    "ledger-upload": lambda w: (
        "ada",
        {},
        {"organisation": w.objects["target"].organisation_id, "file": SimpleUploadedFile("台账.csv", _LEDGER_CSV)},
    ),
    "notice-issue": lambda w: (
        "sam",
        {"pk": w.objects["target"].pk},
        {"kind": "supervise", "reply_by": (timezone.localdate() + timedelta(days=7)).isoformat()},
    ),
}

_LEDGER_CSV = "工作任务,牵头单位,完成时限\n建设文化中心,文体中心,2026年10月底\n".encode()


def test_every_page_write_has_its_data():
    assert sorted(POSTS) == sorted(PAGE_POSTS)


@pytest.mark.parametrize("name", sorted(PAGE_POSTS))
def test_a_page_write_without_the_token_is_refused_and_changes_nothing(world, name):
    persona, kwargs, data = POSTS[name](world)
    url = reverse(name, kwargs=kwargs)
    client = Client(enforce_csrf_checks=True)
    if persona:
        client.force_login(world.objects[persona])
    before, session_before = fingerprint(), dict(client.session)

    response = client.post(url, data)
    assert response.status_code == 403, f"POST {url} without the token: {response.status_code}"
    assert "CSRF" in response.content.decode()
    assert fingerprint() == before and dict(client.session) == session_before

    # The same data with the token: something changes, so the refusal above was the CSRF check.
    client.get(reverse("login") if persona is None else reverse("notifications:preferences"))  # sets the cookie
    token = client.cookies["csrftoken"].value
    _, _, data = POSTS[name](world)  # file uploads are read once
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302), f"POST {url} with the token: {response.status_code}"
    assert fingerprint() != before or dict(client.session) != session_before, f"POST {url} changed nothing"


def _writes(url: str) -> list[str]:
    view = resolve(url).func.view_class
    return [method for method in WRITES if hasattr(view, method)]


def test_the_api_with_session_auth_refuses_writes_without_the_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.objects["ada"])
    before = fingerprint()
    checked = 0
    for name, kwargs in API_POSTS.items():
        url = reverse(name, kwargs=kwargs(world))
        methods = _writes(url)
        assert methods, f"{url} takes no write"
        for method in methods:
            response = getattr(client, method)(url, {}, format="json")
            assert response.status_code == 403, f"{method.upper()} {url}: {response.status_code}"
            assert "CSRF" in response.content.decode(), f"{method.upper()} {url}: {response.content[:200]}"
            checked += 1
    assert fingerprint() == before
    assert checked >= len(API_POSTS)


def test_the_api_takes_a_session_write_with_the_token_and_a_token_client_without_it(world):
    url = reverse("api-target-comments", kwargs={"pk": world.objects["third"].pk})
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(world.objects["bob"])
    session.get(reverse("notifications:preferences"))
    token = session.cookies["csrftoken"].value
    assert session.post(url, {"text": "带令牌"}, format="json", HTTP_X_CSRFTOKEN=token).status_code == 201

    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.objects['bob']).key}")
    assert api.post(url, {"text": "令牌认证"}, format="json").status_code == 201
