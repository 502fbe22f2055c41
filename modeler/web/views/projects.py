"""Project list, creation and the project page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from modeler.web import selectors, services
from modeler.web.forms import SLUG_UNAVAILABLE, ProjectForm
from modeler.web.http import AuthedRequest
from modeler.web.permissions import can, project_for


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "projects/list.html",
                  {"projects": selectors.projects_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthedRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_create(owner=request.user,
                                                  **form.cleaned_data)
            except ValidationError as exc:
                # taken meanwhile: the same words as the form's, whoever's project it is
                errors = exc.message_dict if hasattr(exc, "error_dict") else {}
                if "slug" in errors:
                    form.add_error(None, ValidationError(SLUG_UNAVAILABLE))
                else:
                    form.add_error(None, exc)
            else:
                return redirect("project_detail", slug=project.slug)
        return render(request, "projects/create.html", {"form": form}, status=422)
    return render(request, "projects/create.html", {"form": form})


@login_required
def project_detail(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug)
    design = services.main_design(project)
    return render(request, "projects/detail.html", {
        "project": project, "role": role, "can_edit": can(role, "edit"),
        "tables": selectors.tables_of(design),
        "activities": design.activities.select_related("actor").order_by("-created_at",
                                                                          "-id")[:20],
    })
