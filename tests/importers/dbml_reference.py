"""The DBML reference implementation's own test inputs (``holistics-dbml-tests`` in the shared
corpus) through :func:`~modeler.importers.import_dbml`, and their exports through
``alembic upgrade head`` on PostgreSQL. Used by ``tests/importers/test_dbml_reference.py``
and ``bench/dbml_reference.py``; nothing here is specific to pytest.

The corpus' ``INDEX.tsv`` says, per file, whether the reference implementation accepts it
(``valid``) or must report errors (``invalid(N)``). What the importer must do:

- a reference-valid DBML file imports (warnings allowed: they say what PostgreSQL needs
  changed), and its export upgrades an empty database, or a warning says why it would not;
- a reference-invalid DBML file is refused (:class:`SchemaImportError` with the line), or
  imports with a warning naming the problem the reference reports (:data:`PROBLEMS`);
- an SQL input is not DBML: refused with a line;
- never another exception.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from modeler.codegen.bundle import build_bundle
from modeler.codegen.versions import VersionInput
from modeler.importers import ImportResult, SchemaImportError, import_dbml
from tests.pgtemp import PgServer

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / \
    "holistics-dbml-tests"

# Reference-invalid inputs: what the refusal or a warning must say (the problem the
# reference implementation reports, in our words).
PROBLEMS: dict[str, tuple[str, ...]] = {
    "circular_ref_1_inline_1_element": ("the other way round (a circular reference)",
                                        "repeats the one of line 30"),
    "circular_ref_2_elements": ("the other way round (a circular reference)",),
    "circular_ref_2_inlines": ("the other way round (a circular reference)",),
    "composite_pk": ("table public.users defined twice",),
    "erroneous": ("a quote inside a 'string' is written \\'",),
    "index_table_partial": ("index on users: `now()` calls now(), which is not immutable",),
    "self_referential_ref_in_tablepartial": ("refers to the column itself",),
    "table_element": ("has more than one note",),
    "table_partial": ("index on merchant: no column name",),
    "table_reappear_tablegroup": ("table follows is already in table group A1",
                                  "table users is already in table group A2",
                                  "table U is already in table group A2",
                                  "table A.users is already in table group A5"),
    "two_inline_refs": ("table public.staff is not in the input",
                        "table public.rental is not in the input"),
}


@dataclass(frozen=True)
class Input:
    """One corpus file: its name, format (``dbml`` or ``sql``) and the reference's verdict
    (``valid``, ``invalid(N)``; the CLI's dbml2sql inputs, absent from INDEX.tsv, are valid)."""

    name: str
    format: str
    verdict: str

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    @property
    def short(self) -> str:
        return self.name.rsplit("__", 1)[-1].removesuffix(".dbml").removesuffix(".sql") \
            .removesuffix(".in")

    @property
    def problems(self) -> tuple[str, ...]:
        return PROBLEMS.get(self.short, ())

    def text(self) -> str:
        return (CORPUS / self.name).read_text(encoding="utf-8")


def inputs() -> list[Input]:
    """Every input of the corpus (empty when it is not on this machine)."""
    index = CORPUS / "INDEX.tsv"
    if not index.exists():
        return []
    rows = [line.split("\t") for line in index.read_text(encoding="utf-8").splitlines()[1:]
            if line.strip()]
    listed = {r[0]: Input(r[0], r[1], r[2]) for r in rows}
    for path in sorted(CORPUS.iterdir()):
        if path.name not in listed and path.suffix in (".dbml", ".sql"):
            listed[path.name] = Input(path.name, path.suffix[1:], "valid")
    return [listed[n] for n in sorted(listed)]


@dataclass
class Outcome:
    """What the import did with one input: ``refused`` (``error``), ``warned`` (imported
    with warnings), ``accepted`` (without), or ``crashed`` (another exception: a bug)."""

    input: Input
    status: str
    result: ImportResult | None = None
    error: str = ""
    upgrade: str | None = None  # None: not tried; "" upgraded; else why not
    notes: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        if self.result is None:
            return [self.error]
        return [w.message for w in self.result.warnings]


def run_import(item: Input) -> Outcome:
    try:
        result = import_dbml([(item.name, item.text())])
    except SchemaImportError as exc:
        return Outcome(item, "refused", error=str(exc))
    except Exception as exc:
        return Outcome(item, "crashed", error=f"{type(exc).__name__}: {exc}")
    return Outcome(item, "warned" if result.warnings else "accepted", result)


def bundle(result: ImportResult, root: Path, slug: str) -> Path:
    """The export of an imported design, written under ``root``."""
    version = VersionInput(number=1, message="Imported baseline", author="reference",
                           created="2026-01-01", schema=result.schema, baseline=True)
    for path, data in build_bundle([version], slug=slug).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


# A few interpreters share the bundles (an alembic process each would cost a second); each
# upgrades its bundles in turn, each into a new database of its own, dropped afterwards.
_RUNNER = r"""
import json, os, sys, uuid
import psycopg
from alembic import command
from alembic.config import Config
server, jobs = json.load(sys.stdin)
out = {}
for name, folder in jobs:
    db = "r_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute('CREATE DATABASE "%s"' % db)
    url = server.rsplit("/", 1)[0] + "/" + db
    os.environ["DATABASE_URL"] = os.environ["DIRECT_DATABASE_URL"] = url
    sys.path.insert(0, folder)
    before = set(sys.modules)
    try:
        command.upgrade(Config(os.path.join(folder, "alembic.ini")), "head")
        out[name] = ""
    except BaseException as exc:
        out[name] = (type(exc).__name__ + ": " + str(exc)).strip()[-1500:]
    finally:
        sys.path.remove(folder)
        for module in set(sys.modules) - before:
            del sys.modules[module]
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)
print(json.dumps(out))
"""
RUNNERS = 4


def upgrade_all(server: PgServer, outcomes: list[Outcome], workdir: Path) -> None:
    """Export each imported design, run ``alembic upgrade head`` on an empty database of its
    own, and set each outcome's ``upgrade`` ("" when it upgraded, else why not)."""
    jobs: list[tuple[str, str]] = []
    for n, o in enumerate(outcomes):
        if o.result is None:
            continue
        try:
            folder = bundle(o.result, workdir / f"b{n}", f"ref{n}")
        except Exception as exc:
            o.upgrade = f"export failed: {type(exc).__name__}: {exc}"
            continue
        jobs.append((o.input.name, str(folder)))
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}

    def run(chunk: list[tuple[str, str]]) -> dict[str, str]:
        done = subprocess.run([sys.executable, "-c", _RUNNER], capture_output=True, text=True,
                              input=json.dumps([server.url, chunk]), env=env, timeout=600)
        if done.returncode != 0 or not done.stdout.strip():
            raise RuntimeError(f"an upgrade runner failed: {done.stderr[-3000:]}")
        found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
        return found

    results: dict[str, str] = {}
    with ThreadPoolExecutor(RUNNERS) as pool:
        for found in pool.map(run, [jobs[n::RUNNERS] for n in range(RUNNERS)]):
            results.update(found)
    for o in outcomes:
        if o.input.name in results:
            o.upgrade = results[o.input.name]


def warned_why(outcome: Outcome) -> bool:
    """Whether a warning of an import whose export does not upgrade says why: it names
    something the database must provide (a type or function kept as written)."""
    return any(("must provide" in m or "kept as" in m) for m in outcome.messages)


def run_all(server: PgServer | None) -> list[Outcome]:
    """Import every input; with a server, export and upgrade the imported DBML ones."""
    outcomes = [run_import(i) for i in inputs()]
    if server is not None:
        with tempfile.TemporaryDirectory(prefix="dbml-ref-") as tmp:
            upgrade_all(server, [o for o in outcomes if o.input.format == "dbml"], Path(tmp))
    return outcomes
