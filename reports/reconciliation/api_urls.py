"""REST routes of the year-end reconciliation (mounted under /api/ by reports/api_urls.py)."""

from __future__ import annotations

from django.urls import path

from reports.reconciliation import api

urlpatterns = [
    path("reconciliations/", api.ReconciliationListAPI.as_view(), name="api-reconciliation-list"),
    path("reconciliations/export/", api.ReconciliationExportAPI.as_view(), name="api-reconciliation-export"),
    path("reconciliations/<int:pk>/", api.ReconciliationDetailAPI.as_view(), name="api-reconciliation-detail"),
    path(
        "reconciliations/<int:pk>/confirm/", api.ReconciliationConfirmAPI.as_view(), name="api-reconciliation-confirm"
    ),
    path(
        "reconciliations/<int:pk>/override/",
        api.ReconciliationOverrideAPI.as_view(),
        name="api-reconciliation-override",
    ),
]
