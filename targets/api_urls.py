"""REST routes of targets (mounted under /api/)."""

from __future__ import annotations

from django.urls import path

from targets import api, documents_api

urlpatterns = [
    path("targets/", api.TargetListAPI.as_view(), name="api-target-list"),
    path("targets/overdue/", api.TargetOverdueAPI.as_view(), name="api-target-overdue"),
    path("targets/<int:pk>/", api.TargetDetailAPI.as_view(), name="api-target-detail"),
    path("targets/<int:pk>/progress/", api.TargetProgressAPI.as_view(), name="api-target-progress"),
    path(
        "targets/<int:pk>/request-extension/",
        api.RequestExtensionAPI.as_view(),
        name="api-target-request-extension",
    ),
    path("targets/<int:pk>/decide-extension/", api.DecideExtensionAPI.as_view(), name="api-target-decide-extension"),
    path("targets/<int:pk>/request-signoff/", api.RequestSignoffAPI.as_view(), name="api-target-request-signoff"),
    path("targets/<int:pk>/decide-signoff/", api.DecideSignoffAPI.as_view(), name="api-target-decide-signoff"),
    path("targets/<int:pk>/comments/", api.TargetCommentsAPI.as_view(), name="api-target-comments"),
    path("targets/<int:pk>/escalate/", api.EscalateAPI.as_view(), name="api-target-escalate"),
    path("targets/<int:pk>/cancel/", api.CancelAPI.as_view(), name="api-target-cancel"),
    path("targets/<int:pk>/reassign/", api.ReassignAPI.as_view(), name="api-target-reassign"),
    path("targets/<int:pk>/milestones/", api.TargetMilestonesAPI.as_view(), name="api-target-milestones"),
    path("targets/<int:pk>/evidence/", api.TargetEvidenceAPI.as_view(), name="api-target-evidence"),
    path("targets/<int:pk>/notices/", documents_api.TargetNoticesAPI.as_view(), name="api-target-notices"),
    path("notices/<int:pk>/docx/", documents_api.NoticeDocxAPI.as_view(), name="api-notice-docx"),
    path("ledger-imports/", documents_api.LedgerImportAPI.as_view(), name="api-ledger-import"),
    path("bulletins/", documents_api.BulletinAPI.as_view(), name="api-bulletin"),
    path("milestones/<int:pk>/", api.MilestoneAPI.as_view(), name="api-milestone"),
    path("milestones/<int:pk>/done/", api.MilestoneDoneAPI.as_view(), name="api-milestone-done"),
]
