"""python manage.py export_dbml <project-slug> [--version N] [-o FILE]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from modeler.web.management.commands._lookup import version_arg
from modeler.web.management.commands._output import writable, write_out

# what the command needs is imported in handle(): `--help` and a wrong argument answer at once


class Command(BaseCommand):
    help = ("Write a version's design (the latest unless --version) as DBML: what DBML "
            "cannot say is kept in the Project note, so importing the file gives the design "
            "back.")
    requires_system_checks: list[str] = []

    def add_base_argument(self, parser: Any, *args: Any, **kwargs: Any) -> None:
        # --version selects the design version here, not Django's version banner.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--version", type=int, default=None, dest="number")
        parser.add_argument("-o", "--out", default=None,
                            help="the file to write (default: standard output)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from modeler.web.textmode import design_text
        from modeler.web.versions import version_schema

        if opts["out"] is not None:
            writable(opts["out"])
        version = version_arg(opts["slug"], opts["number"])
        text = design_text(version_schema(version))
        if opts["out"] is None:
            self.stdout.write(text, ending="")
            return
        write_out(opts["out"], text)
        self.stdout.write(f"wrote {opts['out']} (version {version.number}, "
                          f"{len(text.encode('utf-8'))} bytes)")
