"""Issue 17: are `manage.py export_bundle`'s bytes unchanged by a change to the export?

    .venv/bin/python bench/export_identity.py --save before.json [--corpus a,b,c]
    .venv/bin/python bench/export_identity.py --compare before.json

Imports each corpus SQL schema (../shared/corpus) as a project in a scratch SQLite
application (as bench/export_stages.py does), saves a second version of each (a table's
comment changed, a nullable column added: a second Alembic revision; both versions dated
2026-01-02, so that the bytes do not depend on the day), then runs
``manage.py export_bundle`` for every project, every target (sqlalchemy, drizzle, both),
the latest version and ``--version 1``, each twice (the drawing made, then read back from
the store). Prints one SHA-256 per zip; ``--save`` writes them to a file, ``--compare``
reads such a file and names every zip that differs, and in it every file that differs
(exit 1). The zip's bytes are compared whole: contents, order, timestamps, compression.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = ("sqlalchemy", "drizzle", "both")

SECOND_VERSION = """
from dataclasses import replace
from django.contrib.auth import get_user_model
from modeler.schema import model as m
from modeler.web.models import Project
from modeler.web.versions import version_save
from modeler.web.selectors import versions_of
from modeler.schema import serialize
project = Project.objects.get(slug={slug!r})
schema = serialize.loads(versions_of(project).first().schema_json)
t = schema.tables[0]
extra = m.Column(uid=t.uid + "-bench-extra", name="bench_extra_note",
                 type=m.ColumnType(name="text"), nullable=True, comment="added in v2",
                 null_meaning="not noted yet")
tables = (replace(t, comment="changed in v2", columns=(*t.columns, extra)), *schema.tables[1:])
version_save(project=project, actor=get_user_model().objects.filter(is_superuser=True).first(),
             message="Second version", schema=replace(schema, tables=tables))
# a fixed date (the bundle names the versions' dates): the same bytes on any day
import datetime
from modeler.web.models import Version
Version.objects.filter(project=project).update(
    created_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc))
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="musicbrainz,netbox,pagila")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--keep", type=Path, help="copy the zips into this folder")
    args = parser.parse_args()
    from bench.vs_tools import App

    before = json.loads(args.compare.read_text()) if args.compare else None
    found: dict[str, dict[str, object]] = {}
    differ = 0
    with tempfile.TemporaryDirectory(prefix="bench-identity-") as tmp:
        work = Path(tmp)
        app = App(work)
        for name in args.corpus.split(","):
            app.python(
                "from django.contrib.auth import get_user_model\n"
                "from modeler.web.importing import import_project\n"
                "from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec\n"
                f"import_project(result=import_spec(SQL_SCHEMAS[{name!r}]), "
                f"slug={name!r}, name=None, source='sql', owner=get_user_model()"
                ".objects.filter(is_superuser=True).first())\n")
            app.python(SECOND_VERSION.format(slug=name))
            for target in TARGETS:
                for version in ((), ("--version", "1")):
                    for run in ("drawn", "kept"):
                        key = f"{name} {target} {' '.join(version) or 'latest'} {run}"
                        out = work / "out.zip"
                        done = subprocess.run(
                            [*app.argv("export_bundle", name, "--target", target, "--out",
                                       str(out), *version)],
                            env=app.env, cwd=ROOT, capture_output=True, text=True)
                        if done.returncode != 0:
                            raise SystemExit(f"{key}: failed\n{done.stderr[-2000:]}")
                        sha = digest(out)
                        found[key] = {"sha256": sha, "files": members(out)}
                        if args.keep:
                            args.keep.mkdir(parents=True, exist_ok=True)
                            (args.keep / (key.replace(" ", "_") + ".zip")).write_bytes(
                                out.read_bytes())
                        verdict = ""
                        if before is not None:
                            old = before.get(key)
                            if old is None:
                                verdict = "  (not in the saved file)"
                            elif old["sha256"] == found[key]["sha256"]:
                                verdict = "  identical"
                            else:
                                differ += 1
                                new_files = found[key]["files"]
                                assert isinstance(new_files, dict)
                                changed = sorted(p for p in {*old["files"], *new_files}
                                                 if old["files"].get(p) != new_files.get(p))
                                verdict = ("  DIFFERS: " + (", ".join(changed) if changed
                                                            else "same files, zip bytes"))
                        print(f"{key:50} {sha[:16]}{verdict}", flush=True)
    if args.save:
        args.save.write_text(json.dumps(found, indent=1, sort_keys=True))
    if before is not None:
        print(f"{len(found)} bundles, {differ} differ")
        if differ:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
