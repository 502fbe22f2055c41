"""Review URLs (namespace ``review``), mounted at the site root: the inbox, and per project
the members page and the proposals."""

from __future__ import annotations

from django.urls import path

from modeler.web.lazyviews import modules

# imported on first use, like the main URLconf's views (see modeler.web.lazyviews)
inbox, members, proposals, review = modules(
    "modeler.review.views", "inbox", "members", "proposals", "review")

app_name = "review"

P = "p/<slug:slug>/proposals/<int:number>/"

urlpatterns = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/count/", inbox.inbox_count, name="inbox_count"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/open/", inbox.notification_open, name="notification_open"),
    # members and roles
    path("p/<slug:slug>/members/", members.member_list, name="members"),
    path("p/<slug:slug>/members/add/", members.member_add, name="member_add"),
    path("p/<slug:slug>/members/<int:pk>/role/", members.member_role, name="member_role"),
    path("p/<slug:slug>/members/<int:pk>/remove/", members.member_remove,
         name="member_remove"),
    # proposals
    path("p/<slug:slug>/proposals/", proposals.proposal_list, name="proposal_list"),
    path("p/<slug:slug>/proposals/new/", proposals.proposal_create, name="proposal_create"),
    path("p/<slug:slug>/proposals/policy/", proposals.review_policy, name="review_policy"),
    path(P, review.proposal_detail, name="proposal_detail"),
    path(P + "threads/", review.thread_create, name="thread_create"),
    path(P + "threads/<int:thread>/reply/", review.thread_reply, name="thread_reply"),
    path(P + "threads/<int:thread>/resolve/", review.thread_resolve, name="thread_resolve"),
    path(P + "verdict/", review.verdict_create, name="verdict_create"),
    path(P + "merge/", proposals.proposal_merge, name="proposal_merge"),
    path(P + "rebase/", proposals.proposal_rebase, name="proposal_rebase"),
    path(P + "close/", proposals.proposal_close, name="proposal_close"),
    path(P + "request-review/", proposals.proposal_request_review, name="request_review"),
    path(P + "approvals/", proposals.proposal_approvals, name="proposal_approvals"),
    path(P + "migration.py", proposals.proposal_migration, name="proposal_migration"),
    path(P + "migration.sql", proposals.proposal_drizzle_migration,
         name="proposal_drizzle_migration"),
]
