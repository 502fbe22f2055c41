#!/usr/bin/env python
"""Django's command-line utility: the modeler's CLI (python manage.py help)."""

import gc
import os
import sys


def main() -> None:
    # Issue #17: the collector's young generation as large as the app's from the first
    # import on (WebConfig.ready then sets settings.GC_THRESHOLDS): every object the
    # start-up makes stays, and collecting them 700 at a time cost a tenth of `check`.
    gc.set_threshold(20000, 20, 10)
    if sys.argv[1:2] in (["check"], ["help"], ["export_bundle"]):
        # Issue #17: short-lived processes whose objects (modules, classes, the export's
        # design) stay alive to the exit: the collector runs for nothing (`check`: five
        # young collections, about 25 ms of its 0.4 s of CPU). Cycles made meanwhile are
        # freed at exit. A long-running command (runserver, workers) keeps its collector.
        gc.disable()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
    if sys.argv[1:2] in (["render_diagram"], ["export_bundle"], ["import_schema"]):
        # Issue #17: commands that draw once and exit: no memo of the sanitised drawing
        # (modeler.oneshot imports nothing: the diagram package is not loaded here)
        from modeler import oneshot

        oneshot.declare()
    if sys.argv[1:2] == ["render_diagram"]:
        # Issue #17: a drawing stored already (by import_schema or an earlier render) is
        # read back without starting Django; anything else is left to the command
        from modeler.web.readback import main as readback

        if readback(sys.argv):
            return
    helped = sys.argv[1:2] == ["export_bundle"] and not {"-h", "--help"} & set(sys.argv)
    if helped:
        # Issue #17: the export's helper process imports SQLAlchemy and the renderers while
        # this one starts Django, then makes the files (see modeler.codegen.prefork)
        from modeler.codegen import prefork

        if prefork.wanted(sys.argv):
            prefork.start()
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    finally:
        if helped:
            prefork.stop()
        # Issue #17: the interpreter's last collection at exit walks every object still
        # alive (Django's and the app's modules; a large design's snapshot and renderings:
        # about 0.1 s of CPU after an export of musicbrainz) only to find them freed by the
        # module teardown anyway; frozen objects are left to that teardown (files,
        # connections and atexit handlers are closed as before: only garbage cycles left at
        # exit are not looked for). Also on the way out of --help, an error or sys.exit.
        gc.freeze()


if __name__ == "__main__":
    main()
