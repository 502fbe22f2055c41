"""python manage.py lint_schema <project-slug> [--format text|json|sarif]

Exit status 1 when any unwaived BLOCK or JUSTIFY finding exists, else 0.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from modeler.web.management.commands._lookup import project_arg


class Command(BaseCommand):
    help = "Check a project's design against the rules; exit 1 on unwaived BLOCK/JUSTIFY."
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")

    def handle(self, *args: Any, **opts: Any) -> None:
        from modeler import rules
        from modeler.web import selectors, services

        project = project_arg(opts["slug"])
        design = services.main_design(project)
        findings = selectors.design_findings(design)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rules.to_json(findings), indent=2))
        elif opts["format"] == "sarif":
            self.stdout.write(json.dumps(rules.to_sarif(findings), indent=2))
        else:
            self.stdout.write(rules.to_text(findings), ending="")
        if any(f.gating for f in findings):
            raise SystemExit(1)
