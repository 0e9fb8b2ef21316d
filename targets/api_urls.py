"""REST routes of targets (mounted under /api/)."""

from __future__ import annotations

from django.urls import path

from targets import api

urlpatterns = [
    path("targets/", api.TargetListAPI.as_view(), name="api-target-list"),
    path("targets/overdue/", api.TargetOverdueAPI.as_view(), name="api-target-overdue"),
    path("targets/<int:pk>/", api.TargetDetailAPI.as_view(), name="api-target-detail"),
    path("targets/<int:pk>/progress/", api.TargetProgressAPI.as_view(), name="api-target-progress"),
]
