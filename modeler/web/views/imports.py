"""Import a schema into a new project: upload files, paste text or give a live database URL;
a preview shows counts and warnings before anything is created."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from modeler.importers import ImportResult, SchemaImportError, import_dbml, import_live, import_sql
from modeler.schema import serialize
from modeler.web.importing import ImportRefused, import_project, warning_record
from modeler.web.models import PendingImport, Project
from modeler.web.models import slug_validator as _slug


class ImportForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.CharField(max_length=50, validators=[_slug])
    format = forms.ChoiceField(choices=[("sql", "PostgreSQL DDL (pg_dump or scripts)"),
                                        ("dbml", "DBML"), ("url", "Live PostgreSQL database")])
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           label="…or paste the text")
    url = forms.CharField(required=False, max_length=1000, label="Database URL",
                          help_text="postgresql://user:password@host/db — used once, read "
                                    "only, never stored.")
    schemas = forms.CharField(required=False, max_length=500,
                              help_text="Schemas to read, comma-separated (default: all).")

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if Project.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"A project with slug “{slug}” already exists.")
        return slug


def _files(request: HttpRequest, form: ImportForm) -> list[tuple[str, str]]:
    limit = settings.MODELER_MAX_UPLOAD_BYTES
    uploads = request.FILES.getlist("files")
    total = sum(f.size or 0 for f in uploads) + len(form.cleaned_data.get("text") or "")
    if total > limit:
        raise SchemaImportError(f"The upload is {total / 1e6:.1f} MB; the limit is "
                                f"{limit / 1e6:.0f} MB.")
    files = [(f.name or "upload", f.read().decode("utf-8", errors="replace")) for f in uploads]
    if form.cleaned_data.get("text"):
        files.append(("pasted", form.cleaned_data["text"]))
    if not files:
        raise SchemaImportError("Upload a file or paste the schema text.")
    return files


def _parse(request: HttpRequest, form: ImportForm) -> tuple[ImportResult, str]:
    fmt = form.cleaned_data["format"]
    if fmt == "url":
        url = (form.cleaned_data.get("url") or "").strip()
        if not url:
            raise SchemaImportError("Enter the database URL.")
        schemas = [s.strip() for s in (form.cleaned_data.get("schemas") or "").split(",")
                   if s.strip()]
        return import_live(url, schemas=schemas or None), "a live database"
    files = _files(request, form)
    reader = import_sql if fmt == "sql" else import_dbml
    return reader(files), f"{fmt}: " + ", ".join(n for n, _ in files)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None)
    ctx: dict[str, Any] = {"form": form, "limit_mb": settings.MODELER_MAX_UPLOAD_BYTES // 2**20}
    if request.method == "GET":
        return render(request, "imports/start.html", ctx)
    if not form.is_valid():
        return render(request, "imports/start.html", ctx, status=422)
    try:
        result, source = _parse(request, form)
    except SchemaImportError as exc:
        ctx.update(error=str(exc), statement=exc.statement)
        return render(request, "imports/start.html", ctx, status=422)
    if not result.schema.tables:
        ctx.update(error="The input contains no table: nothing to import.")
        return render(request, "imports/start.html", ctx, status=422)
    pending = PendingImport.objects.create(
        user=request.user, name=form.cleaned_data["name"], slug=form.cleaned_data["slug"],
        source=source[:300], schema_json=serialize.dumps(result.schema),
        warnings=[warning_record(w) for w in result.warnings], counts=result.counts)
    return redirect("import_preview", pk=pending.pk)


def _pending(request: HttpRequest, pk: int) -> PendingImport:
    pending = PendingImport.objects.filter(pk=pk, user=request.user).first()
    if pending is None:
        raise Http404("No such import.")
    return pending


@login_required
@require_http_methods(["GET"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    pending = _pending(request, pk)
    return render(request, "imports/preview.html", {"pending": pending})


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    pending = _pending(request, pk)
    result = ImportResult(schema=serialize.loads(pending.schema_json), counts=pending.counts)
    try:
        import_project(result=result, slug=pending.slug, name=pending.name,
                       owner=request.user, source=pending.source,  # type: ignore[arg-type]
                       warnings=pending.warnings)
    except ImportRefused as exc:
        return render(request, "imports/preview.html", {"pending": pending,
                                                        "error": str(exc)}, status=422)
    pending.delete()
    return redirect("editor", slug=pending.slug)
