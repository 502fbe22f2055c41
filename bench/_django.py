"""Bench helper: run Django against a scratch database (a temporary SQLite file, or
BENCH_DATABASE_URL, e.g. a PostgreSQL database you created for it)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        tmp = tempfile.mkdtemp(prefix="bench-")
        url = f"sqlite:////{tmp.lstrip('/')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from modeler.runtime import settle

    settle()  # as the WSGI/ASGI entry points do
    print(f"database: {url.split('@')[-1]}")
