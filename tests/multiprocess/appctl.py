"""The Django side of the multi-process test, run as its own process (``python -m
tests.multiprocess.appctl seed|inspect``) against the stack's database: ``DATABASE_URL`` and
the other settings come from the environment, as for gunicorn.

``seed`` migrates the database (unless told it is migrated already), then creates the users
(``mp0`` … ``mpN``, ``mp0`` the owner, the others editors), the project ``mp``, its shared
table (``shared``, with a column ``note``) and version 1 (so an export has something to
export); it prints JSON: the shared table's and column's uids.

``inspect`` prints JSON of what the test checks afterwards, read through the app's own paths:
the main design's snapshot (tables, their comments, columns), the element versions, the
activity log of the project, the import jobs and the projects they may have created (with
their designs' table counts and versions).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
    import django

    django.setup()


def seed(clients: int, password: str, migrate: bool) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from modeler.schema import actions, edit
    from modeler.schema import model as m
    from modeler.web import diagrams, services
    from modeler.web.editing import apply_edit
    from modeler.web.models import Membership
    from modeler.web.versions import version_save

    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    user_model = get_user_model()
    hashed = make_password(password)  # one hash for all: each costs a second of CPU here
    users = [user_model.objects.create(username=f"mp{i}", password=hashed)
             for i in range(clients)]
    project = services.project_create(name="Multi-process", slug="mp", owner=users[0])
    for u in users[1:]:
        Membership.objects.create(project=project, user=u, role=Membership.Role.EDITOR)
    design = services.main_design(project)
    holder: dict[str, str] = {}

    def change(s: Any) -> Any:
        out, uid = actions.add_table(s, name="shared", comment="The table everybody edits",
                                     namespace="public", kind="entity",
                                     delete_strategy="hard", subject_area="", uid=None)
        holder["table"] = uid
        return diagrams.place_new_tables(out)

    apply_edit(design=design, actor=users[0], action="table.add", summary="added table shared",
               target_uid=None, change=change)
    col_uid = actions.new_uid()

    def add_note(s: m.Schema) -> m.Schema:
        t = s.table(holder["table"])
        col = m.Column(uid=col_uid, name="note", type=m.ColumnType(name="text"), nullable=False,
                       comment="A note everybody edits")
        at = next((i for i, c in enumerate(t.columns) if c.name == "created_at"),
                  len(t.columns))
        return edit.put_column(s, t.uid, col, position=at)

    apply_edit(design=design, actor=users[0], action="column.add",
               summary="added column shared.note", target_uid=col_uid, change=add_note)
    version = version_save(project=project, actor=users[0],
                           message="The baseline of the multi-process test")
    return {"table": holder["table"], "column": col_uid, "version": version.number}


def inspect() -> dict[str, Any]:
    from modeler.web import services
    from modeler.web.models import Activity, DbColumn, DbTable, ImportJob, Project
    from modeler.web.snapshot import snapshot

    project = Project.objects.get(slug="mp")
    design = services.main_design(project)
    schema = snapshot(design)
    versions = {str(u): v for u, v in DbTable.objects.filter(design=design)
                .values_list("uid", "version")}
    col_versions = {str(u): v for u, v in DbColumn.objects.filter(design=design)
                    .values_list("uid", "version")}
    tables = {t.name: {"uid": t.uid, "comment": t.comment, "version": versions.get(t.uid),
                       "columns": {c.name: {"uid": c.uid, "comment": c.comment,
                                            "version": col_versions.get(c.uid)}
                                   for c in t.columns}}
              for t in schema.tables}
    activity = [{"action": a.action, "summary": a.summary, "target": a.target_uid,
                 "actor": a.actor.username if a.actor else None,
                 "after": a.after, "revision": a.design_revision}
                for a in Activity.objects.filter(project=project).select_related("actor")
                .order_by("pk")]
    jobs = []
    for j in ImportJob.objects.order_by("pk"):
        created = Project.objects.filter(slug=j.slug).first()
        info: dict[str, Any] = {"pk": j.pk, "kind": j.kind, "slug": j.slug,
                                "status": j.status, "error": j.error, "project": None}
        if created is not None:
            d = services.main_design(created)
            info["project"] = {"tables": DbTable.objects.filter(design=d).count(),
                               "columns": DbColumn.objects.filter(design=d).count(),
                               "versions": created.versions.count()}
        jobs.append(info)
    return {"tables": tables, "activity": activity, "jobs": jobs,
            "revision": design.revision}


def main(argv: list[str]) -> int:
    _setup()
    if argv[:1] == ["seed"]:
        print(json.dumps(seed(int(argv[1]), argv[2], argv[3] == "migrate")))
        return 0
    if argv[:1] == ["inspect"]:
        print(json.dumps(inspect(), default=str))
        return 0
    print("usage: appctl seed CLIENTS PASSWORD migrate|migrated | inspect", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
