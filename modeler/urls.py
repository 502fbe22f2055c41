from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.urls import include, path, register_converter

from modeler.web import health
from modeler.web.lazyviews import modules

# imported on first use (manage.py check loads this file; the server imports them at start-up)
editor, elements, imports, projects, rehearsal, rules, versions = modules(
    "modeler.web.views", "editor", "elements", "imports", "projects", "rehearsal", "rules",
    "versions")
(textmode,) = modules("modeler.web.views", "textmode")  # the editor's text mode (DBML)


class UidConverter:
    """A design element's uid: validated like a UUID, passed to views as the string."""

    regex = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(UidConverter, "uid")

# Views of one design; mounted for the main design and for a proposal's design.
EDITOR = [
    # the editor screen and its partials
    path("edit/", editor.editor, name="editor"),
    path("edit/diagram/", editor.diagram, name="diagram"),
    path("edit/poll/", editor.poll, name="poll"),
    path("edit/view/", editor.save_view, name="save_view"),
    path("diagram.<str:fmt>", editor.download, name="diagram_download"),
    path("activity/", editor.activity, name="activity"),
    path("t/<uid:uid>/", editor.table_panel, name="table_panel"),
    # editor actions
    path("tables/add/", elements.table_add, name="table_add"),
    path("t/<uid:uid>/update/", elements.table_update, name="table_update"),
    path("t/<uid:uid>/move/", elements.table_move, name="table_move"),
    path("t/<uid:uid>/columns/add/", elements.column_add, name="column_add"),
    path("t/<uid:uid>/columns/line/", elements.column_line_add, name="column_line_add"),
    path("t/<uid:uid>/indexes/add/", elements.index_add, name="index_add"),
    path("t/<uid:uid>/uniques/add/", elements.unique_add, name="unique_add"),
    path("t/<uid:uid>/checks/add/", elements.check_add, name="check_add"),
    path("t/<uid:uid>/patterns/add/", elements.pattern_add, name="pattern_add"),
    path("c/<uid:uid>/update/", elements.column_update, name="column_update"),
    path("c/<uid:uid>/move/", elements.column_move, name="column_move"),
    path("null-meaning/", elements.null_meaning, name="null_meaning"),
    path("relationships/add/", elements.relationship_add,
         name="relationship_add"),
    path("r/<uid:uid>/", elements.relationship_edit, name="relationship_edit"),
    path("enums/add/", elements.enum_save, name="enum_add"),
    path("enums/<uid:uid>/", elements.enum_save, name="enum_update"),
    path("x/<uid:uid>/delete/", elements.delete, name="delete_element"),
    path("relayout/", elements.relayout, name="relayout"),
    path("undo/", elements.undo_edit, name="undo"),
    path("redo/", elements.redo_edit, name="redo"),
    path("fix/", rules.fix, name="fix"),
    path("waive/", rules.waive, name="waive"),
    path("waivers/", rules.waivers, name="waivers"),
    path("findings/", rules.findings, name="findings"),
    path("edit/text/", textmode.text_panel, name="textmode"),
    path("edit/text/preview/", textmode.text_preview, name="textmode_preview"),
    path("edit/text/apply/", textmode.text_apply, name="textmode_apply"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # no login: load balancers, containers
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("import/", imports.start, name="import_start"),
    path("import/<int:pk>/", imports.preview, name="import_preview"),
    path("import/<int:pk>/confirm/", imports.confirm, name="import_confirm"),
    path("import/jobs/<int:pk>/", imports.job_status, name="import_job"),
    path("import/jobs/<int:pk>/cancel/", imports.job_cancel, name="import_job_cancel"),
    path("p/<slug:slug>/", projects.project_detail, name="project_detail"),
    path("p/<slug:slug>/", include(EDITOR)),
    path("p/<slug:slug>/d/<int:design>/", include(EDITOR)),
    # versions
    path("p/<slug:slug>/versions/", versions.history, name="version_history"),
    path("p/<slug:slug>/versions/save/", versions.save, name="version_save"),
    path("p/<slug:slug>/versions/compare/", versions.compare_view, name="version_compare"),
    path("p/<slug:slug>/versions/<int:number>/restore/", versions.restore,
         name="version_restore"),
    path("p/<slug:slug>/versions/<int:number>/export/", versions.export,
         name="version_export"),
    path("p/<slug:slug>/versions/<int:number>/export/jobs/<int:pk>/", versions.export_job,
         name="version_export_job"),
    path("p/<slug:slug>/versions/<int:number>/export/jobs/<int:pk>/download/",
         versions.export_job_download, name="version_export_job_download"),
    path("p/<slug:slug>/versions/<int:number>/dbml/", textmode.version_dbml,
         name="version_dbml"),
    path("p/<slug:slug>/rehearse/", rehearsal.rehearsal, name="rehearsal"),
    # rules: reference, fixes, waivers, levels
    path("rules/", rules.rule_index, name="rule_index"),
    path("rules/<str:rule_id>/", rules.rule_detail, name="rule_detail"),
    path("p/<slug:slug>/rules/", rules.settings_view, name="rule_settings"),
    # team review: inbox, members, proposals (namespace "review")
    path("", include("modeler.review.urls")),
]


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400.html saying why when Django knows: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (its
    limit in MB) or too many fields or files; else a malformed request. Rendered without
    the request's context processors, as Django's own handler does."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    mb = f"{limit / 2**20:.1f}".removesuffix(".0")
    context = {"too_big": isinstance(exception, RequestDataTooBig),
               "too_many_fields": isinstance(exception, TooManyFieldsSent | TooManyFilesSent),
               "limit": f"{mb} MB" if limit >= 2**20 // 10 else f"{limit:,} bytes"}
    return HttpResponseBadRequest(loader.get_template("400.html").render(context))


handler400 = bad_request
