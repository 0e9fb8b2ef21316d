"""Pages of targets (no namespace: `home` is the site's start page)."""

from __future__ import annotations

from django.urls import path

from targets import documents_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("targets/export.xlsx", views.target_export, name="target-export"),
    path("targets/bulletin.docx", documents_views.bulletin_download, name="bulletin-download"),
    path("targets/import/", documents_views.ledger_upload, name="ledger-upload"),
    path("targets/import/<str:token>/", documents_views.ledger_preview, name="ledger-preview"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
    path("targets/<int:pk>/progress/", views.target_progress, name="target-progress"),
    path("targets/<int:pk>/lifecycle/", views.target_lifecycle, name="target-lifecycle"),
    path("targets/<int:pk>/request-extension/", views.target_request_extension, name="target-request-extension"),
    path("targets/<int:pk>/decide-extension/", views.target_decide_extension, name="target-decide-extension"),
    path("targets/<int:pk>/extend/", views.target_extend, name="target-extend"),
    path("targets/<int:pk>/request-signoff/", views.target_request_signoff, name="target-request-signoff"),
    path("targets/<int:pk>/decide-signoff/", views.target_decide_signoff, name="target-decide-signoff"),
    path("targets/<int:pk>/comment/", views.target_comment, name="target-comment"),
    path("targets/<int:pk>/escalate/", views.target_escalate, name="target-escalate"),
    path("targets/<int:pk>/cancel/", views.target_cancel, name="target-cancel"),
    path("targets/<int:pk>/notices/", documents_views.notice_issue_view, name="notice-issue"),
    path("notices/<int:pk>.<str:fmt>", documents_views.notice_download, name="notice-download"),
    path("targets/<int:pk>/reassign/", views.target_reassign, name="target-reassign"),
    path("targets/<int:pk>/milestones/add/", views.milestone_add, name="milestone-add"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("milestones/<int:pk>/cancel/", views.milestone_cancel, name="milestone-cancel"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
