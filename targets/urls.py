"""Pages of targets (no namespace: `home` is the site's start page)."""

from __future__ import annotations

from django.urls import path

from targets import views

urlpatterns = [
    path("", views.home, name="home"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
    path("targets/<int:pk>/progress/", views.target_progress, name="target-progress"),
    path("targets/<int:pk>/lifecycle/", views.target_lifecycle, name="target-lifecycle"),
    path("targets/<int:pk>/extend/", views.target_extend, name="target-extend"),
    path("targets/<int:pk>/reassign/", views.target_reassign, name="target-reassign"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
]
