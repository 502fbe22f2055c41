"""Rehearsal (issue #19): prove a design change on a real, throw-away database before it is
merged: migrations on sample data with their locks, down and up again, query plans.

No Django here (the management command and the web view are the Django side)."""

from __future__ import annotations

from modeler.rehearsal.engine import Options, Report, rehearse
from modeler.rehearsal.report import report_dict, report_markdown, report_text, rule_facts

__all__ = ["Options", "Report", "rehearse", "report_dict", "report_markdown", "report_text",
           "rule_facts"]
