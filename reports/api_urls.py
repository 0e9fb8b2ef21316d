"""REST routes of reports and their review (mounted under /api/)."""

from __future__ import annotations

from django.urls import include, path

from reports import api

urlpatterns = [
    path("reports/", api.ReportListCreateAPI.as_view(), name="api-report-list"),
    path("reports/<int:pk>/", api.ReportDetailAPI.as_view(), name="api-report-detail"),
    path("reports/<int:pk>/commitments/", api.ReportCommitmentsAPI.as_view(), name="api-report-commitments"),
    path("reports/<int:pk>/achievements/", api.ReportAchievementsAPI.as_view(), name="api-report-achievements"),
    path("reports/<int:pk>/accept-all/", api.ReportAcceptAllAPI.as_view(), name="api-report-accept-all"),
    path("commitments/<int:pk>/", api.CommitmentDetailAPI.as_view(), name="api-commitment-detail"),
    path("commitments/<int:pk>/accept/", api.CommitmentAcceptAPI.as_view(), name="api-commitment-accept"),
    path("commitments/<int:pk>/reject/", api.CommitmentRejectAPI.as_view(), name="api-commitment-reject"),
    path("", include("reports.reconciliation.api_urls")),
]
