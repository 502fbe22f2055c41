"""Bench helper: run Django against a scratch database (a temporary SQLite file, or
BENCH_DATABASE_URL, e.g. a PostgreSQL database you created for it)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# --- The production topology for benchmarks (bench/big_design.py, bench/browser_edit.py) ---

@contextlib.contextmanager
def live_stack(users: int, task_workers: int = 2, web_workers: int = 3,
               **options: Any) -> Iterator[Any]:
    """gunicorn (production settings) + RQ task workers + PgBouncer + Redis on a throw-away
    PostgreSQL cluster, all on free ports (tests/multiprocess/harness.py), with the users
    ``mp0`` … ``mp<users-1>`` (password :data:`STACK_PASSWORD`). Everything is stopped and
    removed on exit, an error or Ctrl-C included. ``options``: more of ``harness.stack``'s
    (``web_threads``, ``verify_snapshots``)."""
    sys.path.insert(0, str(ROOT))
    from tests.multiprocess import harness, scenario
    from tests.pgtemp import temp_postgres

    why = harness.missing()
    if why:
        raise SystemExit(f"cannot run: {why}")
    with contextlib.ExitStack() as exits:
        exits.enter_context(_collected_static())
        pg = exits.enter_context(temp_postgres())
        yield exits.enter_context(harness.stack(pg, clients=users, password=scenario.PASSWORD,
                                                web_workers=web_workers,
                                                task_workers=task_workers, **options))


@contextlib.contextmanager
def _collected_static() -> Iterator[None]:
    """The static files collected into a temporary STATIC_ROOT, with WhiteNoise's manifest,
    as the production image does (Dockerfile: STATIC_MANIFEST=1, collectstatic); the
    variables are set in this process's environment, which the stack's processes inherit."""
    import shutil

    root = tempfile.mkdtemp(prefix="bench-static-")
    saved = {k: os.environ.get(k) for k in ("STATIC_ROOT", "STATIC_MANIFEST")}
    try:
        os.environ.update({"STATIC_ROOT": root, "STATIC_MANIFEST": "1"})
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       cwd=ROOT, check=True, env={**os.environ, "SECRET_KEY": "bench-only",
                                                  "DJANGO_SETTINGS_MODULE": "modeler.settings"})
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


def stack_password() -> str:
    sys.path.insert(0, str(ROOT))
    from tests.multiprocess import scenario

    return scenario.PASSWORD


def stack_design(st: Any, slug: str, tables: int, fks: int = 1, members: int = 0,
                 columns: int = 10, detail: str = "") -> dict[str, Any]:
    """A project ``slug`` owned by ``mp0`` holding a synthetic design of ``tables`` tables
    (bench/synthetic.py: :func:`synthetic` when ``fks`` is 1, else :func:`fk_heavy`), no
    layout stored; ``mp1`` … ``mp<members>`` are its viewers; ``detail`` (e.g. "all"): the
    owner's diagram detail (default: the app's, "auto", keys only past 6,000 columns).
    Written in a process of its own against the stack's database (as a deploy or import
    would). Its JSON."""
    env = {**st.env, "DATABASE_URL": st.direct_url}
    done = subprocess.run([sys.executable, str(Path(__file__)), "design", slug, str(tables),
                           str(fks), str(members), str(columns), detail],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"creating the design {slug} failed:\n{done.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def _design_main(slug: str, tables: int, fks: int, members: int, columns: int,
                 detail: str) -> None:
    import time

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from synthetic import fk_heavy, synthetic

    from modeler.web import services
    from modeler.web.models import Membership, ViewPrefs
    from modeler.web.snapshot import materialize

    users = get_user_model().objects
    owner = users.get(username="mp0")
    project = services.project_create(name=slug, slug=slug, owner=owner)
    if detail:
        ViewPrefs.objects.update_or_create(project=project, user=owner,
                                           defaults={"options": {"detail": detail}})
    for i in range(1, members + 1):
        Membership.objects.create(project=project, user=users.get(username=f"mp{i}"),
                                  role=Membership.Role.VIEWER)
    schema = synthetic(tables, columns) if fks == 1 else fk_heavy(tables, fks, columns)
    t0 = time.perf_counter()
    materialize(schema, services.main_design(project))
    print(json.dumps({"slug": slug, "tables": len(schema.tables),
                      "fks": len(schema.relationships),
                      "columns": sum(len(t.columns) for t in schema.tables),
                      "materialize_s": round(time.perf_counter() - t0, 2)}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["design"]:
        slug, tables, fks, members, columns, detail = sys.argv[2:8]
        _design_main(slug, int(tables), int(fks), int(members), int(columns), detail)
    else:
        raise SystemExit("usage: _django.py design SLUG TABLES FKS MEMBERS COLUMNS DETAIL")
