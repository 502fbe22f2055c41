"""Import a schema into a new project: upload files, paste text or give a live database URL;
a preview shows counts and warnings before anything is created.

Reading the input and creating the project each run as a background job
(:mod:`modeler.web.importjobs`, on a task worker: :mod:`modeler.web.tasks`). A request
waits a moment for its job: fast imports answer at once (the preview, the editor, or the
form with the error); slower ones answer with the job's page, whose progress bar polls the
job every half second with htmx (without JavaScript the page reloads itself) and moves on
to the preview or the new project when the job is done.

A live database is read only for staff and project owners, from the hosts the administrator
allowed (:mod:`modeler.importers.live.guard`), always in the background
(:mod:`modeler.web.importjobs`): others do not see the option, and their POST is refused
with 403 before any job exists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from modeler.importers import SchemaImportError, import_live
from modeler.importers.live import guard
from modeler.web import importing, importjobs, selectors
from modeler.web.forms import SLUG_UNAVAILABLE
from modeler.web.http import AuthedRequest
from modeler.web.models import ImportJob, PendingImport
from modeler.web.models import slug_validator as _slug

_FORMATS = [("sql", "PostgreSQL DDL (pg_dump or scripts)"), ("dbml", "DBML"),
           ("url", "Live PostgreSQL database")]


class ImportForm(forms.Form):
    # static/js/forms.js fills the slug from the name, as on the new-project form
    name = forms.CharField(max_length=200,
                           widget=forms.TextInput(attrs={"data-slug-source": "id_slug"}))
    slug = forms.CharField(max_length=50, validators=[_slug])
    format = forms.ChoiceField(choices=_FORMATS)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           label="…or paste the text")
    url = forms.CharField(required=False, max_length=1000, label="Database URL",
                          help_text="postgresql://user:password@host:port/dbname — used once, "
                                    "read only, never stored; only from hosts an "
                                    "administrator allowed.")
    schemas = forms.CharField(required=False, max_length=500,
                              help_text="Schemas to read, comma-separated (default: all).")

    def __init__(self, *args: Any, live: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not live:  # the live option is not offered (and refused, see start())
            field = self.fields["format"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in _FORMATS if c[0] != "url"]
            del self.fields["url"], self.fields["schemas"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if selectors.slug_taken(slug):
            raise forms.ValidationError(SLUG_UNAVAILABLE)  # the same for any project's slug
        return slug


def _text(name: str, data: bytes) -> str:
    """An upload as text: UTF-8 (with or without a byte-order mark), else a refusal that
    says where the first byte that is not UTF-8 is (a binary file, another encoding)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SchemaImportError(f"{name}: not UTF-8 text (byte {exc.start} on line {line} is "
                                f"0x{data[exc.start]:02x}); save it as UTF-8 and upload it "
                                "again") from None


def _size(n: int) -> str:
    """``n`` bytes as the page says a size: MB to two decimals (no trailing zeros), a size
    under a tenth of one in bytes ("0.0 MB" said nothing)."""
    if n < 2**20 // 10:
        return f"{n:,} bytes"
    return f"{n / 2**20:.2f}".rstrip("0").rstrip(".") + " MB"


def _files(request: HttpRequest, form: ImportForm) -> list[tuple[str, str]]:
    limit = settings.MODELER_MAX_UPLOAD_BYTES
    uploads = request.FILES.getlist("files")
    total = sum(f.size or 0 for f in uploads) + len(form.cleaned_data.get("text") or "")
    if total > limit:
        said, most = _size(total), _size(limit)  # MB as the page says it
        if said == most:  # just over: rounded alike, so in bytes
            said, most = f"{total:,} bytes", f"{limit:,} bytes"
        raise SchemaImportError(f"The upload is {said}; the limit is {most}.")
    files = [(f.name or "upload", _text(f.name or "upload", f.read())) for f in uploads]
    if form.cleaned_data.get("text"):
        files.append(("pasted", form.cleaned_data["text"]))
    if not files:
        raise SchemaImportError("Upload a file or paste the schema text.")
    return files


def _live_reader(form: ImportForm) -> tuple[importjobs.Reader, str]:
    """The live import's reader: the URL's form and the host list are checked here (no
    I/O); resolving and checking its host, and connecting, happen on the job."""
    url = (form.cleaned_data.get("url") or "").strip()
    if not url:
        raise SchemaImportError("Enter the database URL.")
    guard.parse_url(url)
    policy = importing.live_policy()
    if not policy.allowed:
        raise guard.LiveImportRefused(guard.not_enabled_message())
    timeouts = importing.live_timeouts()
    schemas = [s.strip() for s in (form.cleaned_data.get("schemas") or "").split(",")
               if s.strip()]
    source = "a live database"
    return (lambda progress: (import_live(url, schemas=schemas or None, progress=progress,
                                          policy=policy, timeouts=timeouts), source)), source


def _input(request: HttpRequest, form: ImportForm) -> dict[str, Any]:
    """What the job will read, as :func:`importjobs.start_parse`'s arguments: the files
    (for a task), or a live database's reader (holding the URL in memory only); bad input
    that needs no parsing raises here."""
    fmt = form.cleaned_data["format"]
    if fmt == "url":
        reader, source = _live_reader(form)
        return {"reader": reader, "source": source, "live": True}
    files = _files(request, form)
    return {"fmt": fmt, "files": files, "source": f"{fmt}: " + ", ".join(n for n, _ in files)}


@login_required
@require_http_methods(["GET", "POST"])
def start(request: AuthedRequest) -> HttpResponse:
    live = importing.live_import_allowed(request.user)
    form = ImportForm(request.POST or None, live=live)
    ctx: dict[str, Any] = {"form": form, "limit_mb": settings.MODELER_MAX_UPLOAD_BYTES // 2**20}
    if request.method == "POST" and request.POST.get("format") == "url" and not live:
        ctx.update(error=importing.LIVE_FORBIDDEN)
        return render(request, "imports/start.html", ctx, status=403)
    if request.method == "GET":
        running = selectors.import_jobs_running(request.user)
        ctx["running"] = [j for j in running if not importjobs.check_stale(j)]
        return render(request, "imports/start.html", ctx)
    if not form.is_valid():
        return render(request, "imports/start.html", ctx, status=422)
    try:
        job = importjobs.start_parse(request.user,
                                     name=form.cleaned_data["name"],
                                     slug=form.cleaned_data["slug"],
                                     **_input(request, form))
    except SchemaImportError as exc:
        ctx.update(error=str(exc), statement=exc.statement)
        return render(request, "imports/start.html", ctx, status=422)
    except importjobs.TooManyJobs as exc:
        ctx.update(error=str(exc))
        return render(request, "imports/start.html", ctx, status=429)
    job = importjobs.wait(job, importjobs.fast_wait())
    if job.status == ImportJob.Status.FAILED:  # failed fast: the form, with the error
        ctx.update(error=job.error, statement=job.statement or None)
        return render(request, "imports/start.html", ctx, status=422)
    return _answer(request, job)


# the session's previews confirmed: pending pk → the create job's pk. A confirmed preview
# is deleted with its job's success (importjobs._create), and the job's link to it with
# it: the browser's Back button to the preview, or the form sent again, found a bare 404
_CONFIRMED = "imports_confirmed"
_CONFIRMED_KEPT = 20


class _Gone(Exception):
    """The preview is not there any more; ``answer`` says what happened to it."""

    def __init__(self, answer: HttpResponse) -> None:
        super().__init__("import preview gone")
        self.answer = answer


def _pending(request: AuthedRequest, pk: int) -> PendingImport:
    pending = selectors.pending_import_of(request.user, pk)
    if pending is None:
        raise _Gone(_gone(request, pk))
    return pending


def _gone(request: AuthedRequest, pk: int) -> HttpResponse:
    """The answer for a preview that is not there: confirmed in this session, where its
    job leads (the project it created, or the job's page while it runs); else a page
    that says the preview is gone (used or removed) with the ways on, as a 404 (another
    user's preview answers the same: nothing says it exists)."""
    job_pk = (request.session.get(_CONFIRMED) or {}).get(str(pk))
    job = selectors.import_job_of(request.user, job_pk) if isinstance(job_pk, int) else None
    if job is not None:
        importjobs.check_stale(job)
        if job.status == ImportJob.Status.DONE and selectors.slug_taken(job.slug):
            return render(request, "imports/used.html", {"job": job}, status=200)
        if job.status in ImportJob.ACTIVE:
            return redirect("import_job", pk=job.pk)
    return render(request, "imports/used.html", {"job": None}, status=404)


def _remember_confirmed(request: AuthedRequest, pk: int, job: ImportJob) -> None:
    confirmed = dict(request.session.get(_CONFIRMED) or {})
    confirmed.pop(str(pk), None)
    confirmed[str(pk)] = job.pk
    request.session[_CONFIRMED] = dict(list(confirmed.items())[-_CONFIRMED_KEPT:])


@login_required
@require_http_methods(["GET"])
def preview(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        pending = _pending(request, pk)
    except _Gone as gone:
        return gone.answer
    return render(request, "imports/preview.html", {"pending": pending})


@login_required
@require_POST
def confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        pending = _pending(request, pk)
    except _Gone as gone:  # sent again (Back, then the button): nothing is created twice
        return gone.answer
    try:
        job = importjobs.start_create(request.user, pending)
        _remember_confirmed(request, pk, job)
    except importjobs.TooManyJobs as exc:
        return render(request, "imports/preview.html", {"pending": pending, "error": str(exc)},
                      status=429)
    job = importjobs.wait(job, importjobs.fast_wait())
    if job.status == ImportJob.Status.FAILED:
        return render(request, "imports/preview.html", {"pending": pending,
                                                        "error": job.error}, status=422)
    return _answer(request, job)


# --------------------------------------------------------------------------------- jobs

def _job(request: AuthedRequest, pk: int) -> ImportJob:
    job = selectors.import_job_of(request.user, pk)
    if job is None:
        raise Http404("No such import.")
    importjobs.check_stale(job)
    return job


def _result_url(job: ImportJob) -> str:
    """Where a finished job leads: its preview, or the project it created."""
    if job.kind == ImportJob.Kind.PARSE and job.pending_id is not None:
        return reverse("import_preview", args=[job.pending_id])
    if selectors.slug_taken(job.slug):
        return reverse("editor", kwargs={"slug": job.slug})
    return reverse("import_start")


def _answer(request: AuthedRequest, job: ImportJob) -> HttpResponse:
    """The answer to a request that started a job: where it led when it is done already,
    else the job's page (htmx: in place, with the job's address in the location bar)."""
    if job.status == ImportJob.Status.DONE:
        url = _result_url(job)
        if request.htmx and job.kind == ImportJob.Kind.CREATE:
            return HttpResponseClientRedirect(url)  # the editor wants a full page load
        return redirect(url)
    if not request.htmx:
        return redirect("import_job", pk=job.pk)
    return push_url(_job_page(request, job), reverse("import_job", args=[job.pk]))


def _job_context(job: ImportJob) -> dict[str, Any]:
    started = job.started_at or job.created_at
    end = job.finished_at or timezone.now()
    return {"job": job, "elapsed": max(0, int((end - started).total_seconds())),
            "poll_ms": 500}


def _job_page(request: HttpRequest, job: ImportJob) -> HttpResponse:
    return render(request, "imports/job.html", _job_context(job))


@login_required
@require_http_methods(["GET"])
def job_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The job's page; for htmx polls, its progress fragment (once done: a fragment that
    stops polling and opens the preview or the project)."""
    return _status(request, _job(request, pk))


def _status(request: AuthedRequest, job: ImportJob) -> HttpResponse:
    """:func:`job_status`'s answer, whatever the method (a Cancel that came too late)."""
    poll = bool(request.htmx) and request.htmx.target == "import-job"
    if job.status == ImportJob.Status.DONE:
        url = _result_url(job)
        if poll:  # swapped in: stops the polling, then the page goes on (HX-Redirect would
            # leave the polling running, and every poll would restart a slow navigation)
            return render(request, "imports/_job.html", {**_job_context(job), "result": url})
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if poll:
        return render(request, "imports/_job.html", _job_context(job))
    return _job_page(request, job)


@login_required
@require_POST
def job_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    importjobs.cancel(job)
    if job.status == ImportJob.Status.DONE:  # finished before the click: where it led
        return _status(request, job)
    if request.htmx:
        return render(request, "imports/_job.html", _job_context(job))
    return redirect("import_job", pk=job.pk)
