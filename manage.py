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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
