from __future__ import annotations

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """Team review: members and roles, proposals, comments, verdicts, merges, inbox."""

    name = "modeler.review"
    label = "review"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Review"
