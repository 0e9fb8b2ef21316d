"""Report pages (mounted under /reports/, namespace "reports")."""

from __future__ import annotations

from django.urls import include, path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_review, name="detail"),
    path("<int:pk>/accept-all/", views.report_accept_all, name="accept-all"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/accept/", views.commitment_accept, name="commitment-accept"),
    path("commitments/<int:pk>/reject/", views.commitment_reject, name="commitment-reject"),
    path("commitments/<int:pk>/reopen/", views.commitment_reopen, name="commitment-reopen"),
    path("reconciliations/", include("reports.reconciliation.urls")),
]
