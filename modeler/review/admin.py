from __future__ import annotations

from django.contrib import admin

from modeler.review.models import (
    Comment,
    Notification,
    Proposal,
    ReviewPolicy,
    ReviewRequest,
    Thread,
    Verdict,
)


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    list_display = ("project", "number", "title", "author", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "project__slug")
    raw_id_fields = ("design", "base_version", "merged_version", "author", "finished_by")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    list_display = ("proposal", "anchor_kind", "anchor_label", "author", "resolved_at")
    raw_id_fields = ("proposal", "author", "resolved_by")


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    list_display = ("proposal", "reviewer", "decision", "design_revision", "created_at")
    raw_id_fields = ("proposal", "reviewer")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    list_display = ("recipient", "kind", "text", "read_at", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "actor", "project", "proposal")


admin.site.register(Comment)
admin.site.register(ReviewPolicy)
admin.site.register(ReviewRequest)
