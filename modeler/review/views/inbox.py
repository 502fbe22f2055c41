"""Each user's inbox: review requests, comments, verdicts, merges; unread count for the
top bar (an htmx partial)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from modeler.review import notifications, selectors
from modeler.review.models import Notification
from modeler.web.http import AuthedRequest


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    return render(request, "review/inbox.html", {
        "items": selectors.inbox_of(request.user),
        "unread": selectors.unread_count(request.user)})


@login_required
@require_GET
def inbox_count(request: AuthedRequest) -> HttpResponse:
    return render(request, "review/inbox.html#count",
                  {"unread": selectors.unread_count(request.user)})


@login_required
@require_POST
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark read and go to what it is about."""
    row = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if row is None:
        raise Http404("No such notification.")
    notifications.notification_read(notification=row, user=request.user)
    if not url_has_allowed_host_and_scheme(row.url, allowed_hosts=None):
        return redirect("review:inbox")
    return redirect(row.url)


@login_required
@require_POST
def inbox_read_all(request: AuthedRequest) -> HttpResponse:
    notifications.inbox_mark_all_read(user=request.user)
    return redirect("review:inbox")
