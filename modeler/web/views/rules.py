"""The rules reference (/rules/), and per-project findings: fixes, waivers, rule levels."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from modeler import rules
from modeler.rules import Level
from modeler.schema.model import Schema
from modeler.web import ruling, selectors, services
from modeler.web.editing import Refused, apply_edit
from modeler.web.http import AuthedRequest
from modeler.web.models import Design, Project
from modeler.web.permissions import can, design_for, project_for
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


def _find(schema: Schema, project: Project, rule: str, key: str,
          design: Design) -> rules.Finding:
    """The finding ``rule``/``key`` of ``design`` (of ``project``) at ``schema``, with that
    design's own waivers; 404 when it is gone. The editor's findings first, then those only
    the version gate computes (MG-05, MG-09: against the latest version), which a proposal's
    review page and the version page show and must let one justify or fix."""
    assert design.project_id == project.pk, "a design of another project"
    for version in (False, True):
        for f in selectors.design_findings(design, schema, version=version):
            if f.rule == rule and f.target.key == key:
                return f
    raise Http404("That finding is not present any more.")


@login_required
@require_http_methods(["GET", "POST"])
def fix(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    """GET: preview the changes that fix one finding (or all safe ones): the lines of their
    diff ops; POST: apply those ops."""
    project, _role, design_ = design_for(request.user, slug, design, "edit")
    schema = snapshot(design_)
    rule, key = request.GET.get("rule", ""), request.GET.get("key", "")
    if rule:
        found = rules.fix_for(schema, _find(schema, project, rule, key, design_))
        if found is None:
            raise Http404("This finding has no mechanical fix.")
        ops, title = found.ops, f"Fix {rule} on {found.target.path}"
    else:
        ops, title = rules.safe_fixes(schema, ruling.config_for(project)), "Fix all safe findings"
    # the preview's revision: Apply recomputes the edits, which must be the ones shown (a
    # design changed since the preview would get fixes nobody saw): 409, the list again
    seen = (request.POST.get("revision") or "").strip()
    stale = request.method == "POST" and bool(seen) and seen != str(design_.revision)
    if request.method == "GET" or stale:
        return render(request, "rules/fix_preview.html", {
            "project": project, "design": design_, "title": title, "rule": rule, "key": key,
            "lines": rules.describe_edits(schema, ops), "revision": design_.revision,
            "stale": stale}, status=409 if stale else 200)
    try:
        apply_edit(design=design_, actor=request.user,
                   action="rules.fix", summary=title, target_uid=None,
                   change=lambda s: rules.apply_edits(s, ops), gated=False)
    except Refused as exc:
        design_.refresh_from_db(fields=["revision"])
        return render(request, "rules/fix_preview.html", {
            "project": project, "design": design_, "title": title, "errors": exc.reasons,
            "lines": rules.describe_edits(schema, ops), "revision": design_.revision},
            status=422)
    return redirect("editor", *_args(design_))


def _args(design: Design) -> list[object]:
    if design.kind == Design.Kind.MAIN:
        return [design.project.slug]
    return [design.project.slug, design.pk]


@login_required
@require_http_methods(["GET", "POST"])
def waive(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    """Write a justification for a JUSTIFY finding (editors and owners)."""
    project, _role, design_ = design_for(request.user, slug, design, "edit")
    schema = snapshot(design_)
    rule, key = request.GET.get("rule", ""), request.GET.get("key", "")
    finding = _find(schema, project, rule, key, design_)
    ctx = {"project": project, "design": design_, "finding": finding,
           "doc": rules.rule_doc(rule)}
    if request.method == "GET":
        return render(request, "rules/waive.html", ctx)
    text = request.POST.get("justification", "")
    try:
        services.waiver_set(design=design_, schema=schema, finding=finding,
                            actor=request.user,
                            justification=text)
    except Refused as exc:
        return render(request, "rules/waive.html", {**ctx, "error": "; ".join(exc.reasons),
                                                    "text": text}, status=422)
    return redirect("waivers", *_args(design_))


def _filter_refused(rule: str, level: str) -> str | None:
    """Why the findings page's ``?rule=`` / ``?level=`` cannot narrow it (None: they can):
    an unknown level or rule is refused naming what exists, as the export link's unknown
    ``?target=`` is, rather than listing every finding as if nothing had been asked."""
    if level and level not in {lvl.value for lvl in Level}:
        return (f"Unknown finding level {level[:40]!r}: choose one of "
                f"{', '.join(lvl.value for lvl in ruling.BY_SEVERITY)}.")
    if rule and rule not in {r.id for r in rules.all_rules()}:
        return (f"Unknown rule {rule[:40]!r}: rules are named like KR-01 (the list: "
                f"{reverse('rule_index')}).")
    return None


FINDINGS_PAGE_LIMIT = 2000  # per level on the findings page; narrow by rule for the rest


@login_required
@require_GET
def findings(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    """Every finding of the design (the editor's panel lists the first few per level):
    the rules by how often they fire, and the findings, narrowed by ``?rule=`` and
    ``?level=``."""
    project, role, design_ = design_for(request.user, slug, design)
    rule, level = request.GET.get("rule", ""), request.GET.get("level", "")
    refused = _filter_refused(rule, level)
    if refused is not None:  # a link typed or kept elsewhere: it listed every finding
        return HttpResponse(refused, status=400, content_type="text/plain; charset=utf-8")
    lint = selectors.design_findings(design_)
    grouped = findings_panel(lint, limit=FINDINGS_PAGE_LIMIT, rule=rule)
    if level:
        grouped["groups"] = [g for g in grouped["groups"] if g["level"] == level]
    grouped["open"] = True
    counts = Counter((f.rule, f.level.value) for f in lint)
    by_rule = sorted(counts, key=lambda rl: (Level(rl[1]).rank, rl[0]))
    return render(request, "rules/findings.html", {
        "project": project, "design": design_, "role": role,
        "can_edit": can(role, "edit") and not design_.locked, "findings": grouped,
        "rule": rule, "level": level, "standalone": True,
        "rules": [{"rule": r, "level": lvl, "count": counts[(r, lvl)]} for r, lvl in by_rule]})


@login_required
@require_GET
def waivers(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    project, role, design_ = design_for(request.user, slug, design)
    schema = snapshot(design_)
    findings = selectors.design_findings(design_, schema)
    rows = []
    for w, obj in zip(ruling.waivers_for(design_),
                      selectors.waivers_of(design_), strict=False):
        rows.append({"w": obj, "status": rules.waiver_status(schema, w, findings)})
    return render(request, "rules/waivers.html", {"project": project, "rows": rows,
                                                  "role": role, "design": design_})


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: AuthedRequest, slug: str) -> HttpResponse:
    """Per-project rule levels. Anyone who edits may raise a level above its current one (a
    reason is optional, recorded when given); lowering a level below its current one (the
    project's setting, else the rule's default) and resetting a changed level to the
    default are the owner's alone and always need a reason (at least 10 characters). Every
    change is recorded in the project's activity with its reason."""
    project, role = project_for(request.user, slug, "edit")
    docs = {d.id: d for d in rules.rule_docs()}
    error = ""
    if request.method == "POST":
        try:
            rule, reason = request.POST.get("rule", ""), request.POST.get("reason", "")
            level = _level_asked(project, role, docs.get(rule.upper()),
                                 request.POST.get("level", ""), reason)
            services.rule_level_set(project=project, actor=request.user, rule=rule,
                                    level=level, reason=reason)
        except Refused as exc:
            error = "; ".join(exc.reasons)
        if not error:
            messages.success(request, f"{rule} is at its default level "
                                      f"({docs[rule.upper()].level}) now." if level == "default"
                             else f"{rule} is {level} now.")
            return redirect("rule_settings", slug=slug)
    # a refused form comes back as it was sent: the rule select starting over at the first
    # rule made the retry (a longer reason) change another rule's level
    sent = request.POST if error else {}
    return render(request, "rules/settings.html", {
        "project": project, "docs": sorted(docs.values(), key=lambda d: d.id),
        "current": [{"s": s, "default": docs[s.rule].level if s.rule in docs else ""}
                    for s in selectors.rule_settings_of(project).order_by("rule")],
        "sent": {k: sent.get(k, "") for k in ("rule", "level", "reason")},
        "error": error, "is_owner": can(role, "manage")}, status=422 if error else 200)


def _level_asked(project: Project, role: str, doc: rules.RuleDoc | None, level: str,
                 reason: str) -> str:
    """The level the rule-levels form stores for its pick: a rule's own default level
    picked by name is ``default`` (no setting kept: a row at the default level was listed
    as a changed level, and kept the project's setting when the rule's default changes)
    whenever that asks no more than the pick itself does: when the project has no setting
    of the rule (nothing to remove), when going back to the default lowers the level (a
    reset and a lowering both need the owner and a reason), and for the owner giving a
    reason (of the length a reset needs). An editor raising a lowered rule back to its
    default (or an owner doing so without a reason) may raise it, not reset it: the
    level is stored as picked, and the page shows it is the default."""
    if doc is None or level != doc.level:
        return level
    setting = selectors.rule_settings_of(project).filter(rule=doc.id).first()
    if setting is None or Level(level).rank > Level(setting.level).rank:
        return "default"
    if can(role, "manage") and len(reason.strip()) >= services.MIN_LOWERING_REASON:
        return "default"
    return level
