"""Every URL of config/urls.py, sorted into what the security tests do with it.

`test_every_url_is_in_the_site_map` walks the resolver: a new route fails it until it is listed here, so the
escaping and CSRF walks cannot silently miss a page. The admin is walked through its registry instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver
from django.views.static import serve

from tests.security.hostile_world import HostileWorld

Kwargs = Callable[[HostileWorld], dict]


def _pk(name: str) -> Kwargs:
    return lambda w: {"pk": w.objects[name].pk}


def _unsubscribe_token(w: HostileWorld) -> str:
    from notifications.emails import unsubscribe_token

    return unsubscribe_token(w.objects["alice"].pk, "digest")


def _year(w: HostileWorld) -> dict:
    return {"organisation": w.objects["target"].organisation_id, "year": 2023}


# HTML pages (GET). Each is fetched by every persona; the ones allowed to see it must get 200.
PAGES: dict[str, Kwargs] = {
    "login": lambda w: {},
    "home": lambda w: {},
    "target-detail": _pk("target"),
    "reports:list": lambda w: {},
    "reports:detail": _pk("report"),
    "reports:commitment-edit": _pk("open_commitment"),
    "reports:reconciliation-index": lambda w: {},
    "reports:reconciliation-review": _year,
    "notifications:preferences": lambda w: {},
    "notifications:log": lambda w: {},
    "api-docs": lambda w: {},
    "notifications:unsubscribe": lambda w: {"token": _unsubscribe_token(w)},
    "ledger-upload": lambda w: {},
}
# The same pages in other states: sign-off requested, nothing pending, a review report.
MORE_PAGES: list[tuple[str, Kwargs]] = [
    ("target-detail", _pk("second")),
    ("target-detail", _pk("third")),
    ("reports:detail", _pk("review")),
]

# REST endpoints that answer GET: as HTML (DRF's browsable API) they must escape like the pages.
API_PAGES: dict[str, Kwargs] = {
    "api-report-list": lambda w: {},
    "api-report-detail": _pk("report"),
    "api-report-commitments": _pk("report"),
    "api-report-achievements": _pk("review"),
    "api-commitment-detail": _pk("rejected"),
    "api-reconciliation-list": lambda w: {},
    "api-reconciliation-detail": _pk("reconciliation"),
    "api-target-list": lambda w: {},
    "api-target-overdue": lambda w: {},
    "api-target-detail": _pk("target"),
    "api-target-progress": _pk("target"),
    "api-target-comments": _pk("target"),
    "api-target-milestones": _pk("target"),
    "api-target-evidence": _pk("target"),
    "api-target-notices": _pk("target"),
}

# Not HTML: files and machine-readable documents (checked elsewhere: evidence access, exports).
DOWNLOADS: dict[str, Kwargs] = {
    "target-export": lambda w: {},
    "evidence-download": _pk("evidence"),
    "reports:reconciliation-export": _year,
    "api-reconciliation-export": lambda w: {},
    "schema": lambda w: {},
    "bulletin-download": lambda w: {},
    "api-bulletin": lambda w: {},
    "notice-download": lambda w: {"pk": 1, "fmt": "docx"},
    "api-notice-docx": lambda w: {"pk": 1},
}

# Pages that exist only inside one user's session (an uploaded ledger's preview, named by a token kept in the
# uploader's session): walked with their own uploads by tests/targets/test_ledger_import.py.
SESSION_PAGES: dict[str, Kwargs] = {
    "ledger-preview": lambda w: {"token": "unknown"},
}

# Page endpoints that change something (POST): each must refuse a POST without the CSRF token.
PAGE_POSTS: dict[str, Kwargs] = {
    "logout": lambda w: {},
    "target-progress": _pk("target"),
    "target-lifecycle": _pk("target"),
    "target-request-extension": _pk("second"),
    "target-decide-extension": _pk("target"),
    "target-extend": _pk("target"),
    "target-request-signoff": _pk("target"),
    "target-decide-signoff": _pk("second"),
    "target-comment": _pk("target"),
    "target-escalate": _pk("target"),
    "target-cancel": _pk("target"),
    "target-reassign": _pk("target"),
    "milestone-add": _pk("target"),
    "milestone-done": _pk("milestone"),
    "milestone-edit": _pk("milestone"),
    "milestone-cancel": _pk("milestone"),
    "reports:accept-all": _pk("report"),
    "reports:commitment-edit": _pk("open_commitment"),
    "reports:commitment-accept": _pk("open_commitment"),
    "reports:commitment-reject": _pk("open_commitment"),
    "reports:commitment-reopen": _pk("rejected"),
    "reports:list": lambda w: {},
    "reports:reconciliation-run": lambda w: {},
    "reports:reconciliation-decide": _pk("reconciliation"),
    "reports:reconciliation-confirm-department": _year,
    "notifications:preferences": lambda w: {},
    "login": lambda w: {},
    "ledger-upload": lambda w: {},
    "notice-issue": _pk("target"),
}

# REST endpoints that change something: with session auth they must refuse a POST without the CSRF token.
API_POSTS: dict[str, Kwargs] = {
    "api-report-list": lambda w: {},
    "api-report-accept-all": _pk("report"),
    "api-commitment-detail": _pk("open_commitment"),
    "api-commitment-accept": _pk("open_commitment"),
    "api-commitment-reject": _pk("open_commitment"),
    "api-reconciliation-confirm": _pk("reconciliation"),
    "api-reconciliation-override": _pk("reconciliation"),
    "api-target-progress": _pk("target"),
    "api-target-request-extension": _pk("second"),
    "api-target-decide-extension": _pk("target"),
    "api-target-request-signoff": _pk("target"),
    "api-target-decide-signoff": _pk("second"),
    "api-target-comments": _pk("target"),
    "api-target-escalate": _pk("target"),
    "api-target-cancel": _pk("target"),
    "api-target-reassign": _pk("target"),
    "api-target-milestones": _pk("target"),
    "api-target-evidence": _pk("target"),
    "api-milestone": _pk("milestone"),
    "api-milestone-done": _pk("milestone"),
    "api-target-notices": _pk("target"),
    "api-ledger-import": lambda w: {},
}


def url_names() -> Iterator[str]:
    """Every named route outside the admin, with its namespace."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                if pattern.callback is serve:
                    continue  # MEDIA_ROOT under DEBUG only; evidence is not there (test_evidence_access)
                if pattern.name:
                    yield f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    yield f"<unnamed {pattern.pattern}>"

    yield from walk(get_resolver().url_patterns, None)
