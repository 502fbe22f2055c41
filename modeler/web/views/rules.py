"""The rules reference (/rules/), and per-project findings: fixes, waivers, rule levels."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from modeler import rules
from modeler.rules import Level
from modeler.schema.model import Schema
from modeler.web import ruling
from modeler.web.editing import Refused, apply_edit
from modeler.web.forms import text_problem
from modeler.web.models import Activity, Design, Project, RuleSetting, Waiver
from modeler.web.permissions import can, design_for, project_for
from modeler.web.services import main_design
from modeler.web.snapshot import snapshot
from modeler.web.views.editor import findings_panel


@require_GET
def rule_index(request: HttpRequest) -> HttpResponse:
    docs = rules.rule_docs()
    by_category: dict[str, list[rules.RuleDoc]] = {}
    for d in docs:
        by_category.setdefault(d.category, []).append(d)
    return render(request, "rules/index.html", {"categories": sorted(by_category.items()),
                                                "elsewhere": rules.NOT_SCHEMA_CHECKED})


@require_GET
def rule_detail(request: HttpRequest, rule_id: str) -> HttpResponse:
    try:
        doc = rules.rule_doc(rule_id.upper())
    except KeyError as exc:
        raise Http404("No such rule.") from exc
    return render(request, "rules/detail.html", {"doc": doc})


def _find(schema: Schema, project: Project, rule: str, key: str) -> rules.Finding:
    for f in ruling.lint_project(schema, project):
        if f.rule == rule and f.target.key == key:
            return f
    raise Http404("That finding is not present any more.")


@login_required
@require_http_methods(["GET", "POST"])
def fix(request: HttpRequest, slug: str, design: int | None = None) -> HttpResponse:
    """GET: preview the edits that fix one finding (or all safe ones); POST: apply them."""
    project, _role, design_ = design_for(request.user, slug, design, "edit")
    schema = snapshot(design_)
    rule, key = request.GET.get("rule", ""), request.GET.get("key", "")
    if rule:
        found = rules.fix_for(schema, _find(schema, project, rule, key))
        if found is None:
            raise Http404("This finding has no mechanical fix.")
        edits, title = found.edits, f"Fix {rule} on {found.target.path}"
    else:
        edits, title = rules.safe_fixes(schema, ruling.config_for(project)), "Fix all safe findings"
    if request.method == "GET":
        return render(request, "rules/fix_preview.html", {
            "project": project, "design": design_, "title": title, "rule": rule, "key": key,
            "lines": rules.describe_edits(schema, edits)})
    try:
        apply_edit(design=design_, actor=request.user,  # type: ignore[arg-type]
                   action="rules.fix", summary=title, target_uid=None,
                   change=lambda s: rules.apply_edits(s, edits), gated=False)
    except Refused as exc:
        return render(request, "rules/fix_preview.html", {
            "project": project, "design": design_, "title": title, "errors": exc.reasons,
            "lines": rules.describe_edits(schema, edits)}, status=422)
    return redirect("editor", *_args(design_))


def _args(design: Design) -> list[object]:
    if design.kind == Design.Kind.MAIN:
        return [design.project.slug]
    return [design.project.slug, design.pk]


@login_required
@require_http_methods(["GET", "POST"])
def waive(request: HttpRequest, slug: str, design: int | None = None) -> HttpResponse:
    """Write a justification for a JUSTIFY finding (editors and owners)."""
    project, _role, design_ = design_for(request.user, slug, design, "edit")
    schema = snapshot(design_)
    rule, key = request.GET.get("rule", ""), request.GET.get("key", "")
    finding = _find(schema, project, rule, key)
    ctx = {"project": project, "design": design_, "finding": finding,
           "doc": rules.rule_doc(rule)}
    if request.method == "GET":
        return render(request, "rules/waive.html", ctx)
    text = request.POST.get("justification", "")
    try:
        problem = text_problem(text)
        if problem is not None:
            raise ValueError(problem)
        w = rules.make_waiver(schema, finding, text, request.user.get_username(),
                              timezone.now().isoformat())
    except ValueError as exc:
        return render(request, "rules/waive.html", {**ctx, "error": str(exc),
                                                    "text": text}, status=422)
    Waiver.objects.update_or_create(
        design=design_, rule=w.rule, target_key=w.target_key,
        defaults={"project": project, "fingerprint": w.fingerprint,
                  "justification": w.justification, "author": request.user,
                  "target_path": finding.target.path})
    return redirect("waivers", *_args(design_))


FINDINGS_PAGE_LIMIT = 2000  # per level on the findings page; narrow by rule for the rest


@login_required
@require_GET
def findings(request: HttpRequest, slug: str, design: int | None = None) -> HttpResponse:
    """Every finding of the design (the editor's panel lists the first few per level):
    the rules by how often they fire, and the findings, narrowed by ``?rule=`` and
    ``?level=``."""
    project, role, design_ = design_for(request.user, slug, design)
    lint = ruling.lint_project(snapshot(design_), project, design_)
    rule, level = request.GET.get("rule", ""), request.GET.get("level", "")
    grouped = findings_panel(lint, limit=FINDINGS_PAGE_LIMIT, rule=rule)
    if level:
        grouped["groups"] = [g for g in grouped["groups"] if g["level"] == level]
    grouped["open"] = True
    counts = Counter((f.rule, f.level.value) for f in lint)
    by_rule = sorted(counts, key=lambda rl: (Level(rl[1]).rank, rl[0]))
    return render(request, "rules/findings.html", {
        "project": project, "design": design_, "role": role, "can_edit": can(role, "edit"),
        "findings": grouped, "rule": rule, "level": level, "standalone": True,
        "rules": [{"rule": r, "level": lvl, "count": counts[(r, lvl)]} for r, lvl in by_rule]})


@login_required
@require_GET
def waivers(request: HttpRequest, slug: str, design: int | None = None) -> HttpResponse:
    project, role, design_ = design_for(request.user, slug, design)
    schema = snapshot(design_)
    findings = rules.lint(schema, ruling.config_for(project))
    rows = []
    for w, obj in zip(ruling.waivers_for(design_),
                      Waiver.objects.filter(design=design_).select_related("author")
                      .order_by("created_at", "id"), strict=False):
        rows.append({"w": obj, "status": rules.waiver_status(schema, w, findings)})
    return render(request, "rules/waivers.html", {"project": project, "rows": rows,
                                                  "role": role, "design": design_})


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Per-project rule levels. Anyone who edits may raise a level above its current one (a
    reason is optional, recorded when given); lowering a level below its current one (the
    project's setting, else the rule's default) and resetting a changed level to the
    default are the owner's alone and always need a reason (at least 10 characters). Every
    change is recorded in the project's activity with its reason."""
    project, role = project_for(request.user, slug, "edit")
    docs = {d.id: d for d in rules.rule_docs()}
    error = ""
    if request.method == "POST":
        rule = request.POST.get("rule", "").upper()
        level = request.POST.get("level", "")
        reason = request.POST.get("reason", "").strip()
        if rule not in docs or level not in ("block", "justify", "advise", "default"):
            error = "Pick a rule and a level."
        elif (problem := text_problem(reason, multiline=False)) is not None:
            error = f"Reason: {problem}"
        else:
            error = _set_level(request, project, role, rule, Level(docs[rule].level), level,
                               reason)
        if not error:
            return redirect("rule_settings", slug=slug)
    return render(request, "rules/settings.html", {
        "project": project, "docs": sorted(docs.values(), key=lambda d: d.id),
        "current": RuleSetting.objects.filter(project=project).select_related("set_by"),
        "error": error, "is_owner": can(role, "manage")}, status=422 if error else 200)


def _set_level(request: HttpRequest, project: Project, role: str, rule: str, default: Level,
               level: str, reason: str) -> str:
    """Store one rule level (``default`` removes the project's setting); the refusal's
    message, or "" when stored."""
    with transaction.atomic():
        setting = RuleSetting.objects.select_for_update().filter(
            project=project, rule=rule).first()
        current = Level(setting.level) if setting is not None else default
        target = default if level == "default" else Level(level)
        resetting = level == "default" and setting is not None
        lowering = target.rank > current.rank
        if level == "default" and setting is None:
            return ""  # already at the default: nothing to change
        if (lowering or resetting) and not can(role, "manage"):
            return ("Only the project owner may lower a rule's level or reset it to the "
                    "default.")
        if (lowering or resetting) and len(reason) < 10:
            return ("Say why the level is lowered or reset (at least 10 characters).")
        if resetting:
            RuleSetting.objects.filter(project=project, rule=rule).delete()
        else:
            RuleSetting.objects.update_or_create(
                project=project, rule=rule,
                defaults={"level": level, "reason": reason, "set_by": request.user})
        design = main_design(project)
        word = ("reset" if resetting else "lowered" if lowering
                else "raised" if target.rank < current.rank else "set")
        summary = (f"{word} rule {rule} from {current.value} to {target.value}"
                   f"{' (default)' if level == 'default' else ''}"
                   f"{f': {reason}' if reason else ''}")
        Activity.objects.create(project=project, design=design, actor=request.user,
                                action="rules.level", summary=summary[:300],
                                design_revision=design.revision)
    return ""
