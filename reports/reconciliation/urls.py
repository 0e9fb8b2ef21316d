"""Reconciliation pages, included by reports/urls.py under /reports/reconciliations/ (namespace "reports")."""

from __future__ import annotations

from django.urls import path

from reports.reconciliation import views

urlpatterns = [
    path("", views.reconciliation_index, name="reconciliation-index"),
    path("run/", views.reconciliation_run, name="reconciliation-run"),
    path("<int:organisation>/<int:year>/", views.reconciliation_review, name="reconciliation-review"),
    path("<int:organisation>/<int:year>/ledger.xlsx", views.reconciliation_export, name="reconciliation-export"),
    path(
        "<int:organisation>/<int:year>/confirm-department/",
        views.reconciliation_confirm_department,
        name="reconciliation-confirm-department",
    ),
    path("items/<int:pk>/decide/", views.reconciliation_decide, name="reconciliation-decide"),
]
