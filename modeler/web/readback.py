"""``render_diagram`` of a drawing stored already, without starting Django (issue #17).

After ``import_schema`` (which stores its default drawing) or an earlier render of an
unchanged design, ``render_diagram`` only reads bytes back: two queries and a file. Django's
start-up (its apps, the models, the command machinery: some 0.35 s of CPU) was most of that
process. :func:`main` does the same read with ``sqlite3`` and the settings module alone, and
writes the same file and the same line; anything it is not sure of (an option it does not
take as given, another database engine or cache, no such project, nothing stored, a file
that cannot be written) it leaves to the command (returns False), which says so as before.

``manage.py`` calls it before Django starts::

    if sys.argv[1:2] == ["render_diagram"]:
        from modeler.web.readback import main as readback
        if readback(sys.argv):
            return

The store's key (:func:`stored_key`, :func:`code_stamp`) and the design's stamp are the
command's (``modeler.web.management.commands.render_diagram`` imports them from here); a
test compares what both paths write and print.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMATS = ("dot", "pdf", "png", "svg")  # render_diagram's choices
DETAILS = ("all", "keys", "names")
DIRECTIONS = ("LR", "TB")
STORED_PREFIX = "stamped:"
_HERE = Path(__file__).resolve()
COMMAND_FILE = _HERE.parent / "management" / "commands" / "render_diagram.py"


def stored_key(stamp: tuple[Any, ...] | list[Any], view: dict[str, Any], fmt: str) -> str:
    """The store's key of one drawing: the design's stamp, the view, the format and the
    drawing code in use (:func:`code_stamp`)."""
    raw = json.dumps([code_stamp(), list(stamp), view, fmt], default=str, sort_keys=True)
    return STORED_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


_CODE: list[str] = []


def code_stamp() -> str:
    """The code a drawing depends on as files on disk (path, size, mtime): the drawing
    (:mod:`modeler.diagram`), the model (:mod:`modeler.schema`), how a design is read, this
    store and the command. A new version of any draws afresh. Graphviz is not in it, as it
    is not in the key of a DOT source's render."""
    if not _CODE:
        from modeler.cache import files_stamp

        package = _HERE.parents[1]  # modeler/
        files = [*sorted((package / "diagram").glob("*.py")),
                 *sorted((package / "schema").glob("*.py")),
                 *(package / "web" / name for name in ("snapshot.py", "fieldmap.py",
                                                       "models.py", "rendercache.py",
                                                       "readback.py")),
                 COMMAND_FILE]
        _CODE.append(files_stamp(files))
    return _CODE[0]


def stamp_of(design: tuple[Any, Any, Any], project: tuple[Any, ...]) -> list[Any]:
    """The design's stamp (``render_diagram.design_stamp``) from its row (pk, revision,
    ``updated_at`` as an aware datetime) and the project's (slug, pg_version, provider,
    pk_policy)."""
    pk, revision, updated = design
    return [pk, revision, updated.isoformat(), *project]


def cache_file(directory: Path, key: str) -> Path:
    """Where :class:`modeler.web.rendercache.CommandCache` keeps ``key`` on disk."""
    return directory / hashlib.sha256(key.encode()).hexdigest()


def parse(args: list[str]) -> dict[str, Any] | None:
    """render_diagram's arguments (after the command's name) as the command reads them, or
    None for anything but plain, valid use (``--help``, a Django option, an abbreviation, a
    bad value: the command answers those)."""
    opts: dict[str, Any] = {"format": "svg", "out": None, "focus": None, "depth": 1,
                            "detail": "all", "direction": "LR"}
    slugs: list[str] = []
    names = {"--format", "--out", "--focus", "--depth", "--detail", "--direction"}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-"):
            name, eq, value = arg.partition("=")
            if name not in names:
                return None
            if not eq:
                i += 1
                if i >= len(args) or args[i].startswith("-"):
                    return None
                value = args[i]
            opts[name[2:]] = value
        else:
            slugs.append(arg)
        i += 1
    if len(slugs) != 1 or opts["out"] is None:
        return None
    if opts["format"] not in FORMATS or opts["detail"] not in DETAILS \
            or opts["direction"] not in DIRECTIONS:
        return None
    try:
        depth = int(opts["depth"])
    except (TypeError, ValueError):
        return None
    if depth < 0 or str(depth) != str(opts["depth"]).strip():
        return None
    opts["depth"] = depth
    opts["slug"] = slugs[0]
    return opts


def _settings() -> Any | None:
    name = os.environ.get("DJANGO_SETTINGS_MODULE")
    if not name:
        return None
    try:
        return importlib.import_module(name)
    except Exception:  # the command says what is wrong with them
        return None


def _rows(database: dict[str, Any], slug: str) -> tuple[tuple[Any, ...], Any] | None:
    """The project's (slug, pg_version, provider, pk_policy) and its main design's (pk,
    revision, updated_at) as Django reads them, from an SQLite application database (None:
    another engine, no such project, not exactly one main design)."""
    if database.get("ENGINE") != "django.db.backends.sqlite3":
        return None
    import sqlite3

    name = str(database["NAME"])
    if not Path(name).is_file():
        return None
    timeout = float((database.get("OPTIONS") or {}).get("timeout", 5))
    # a URI of the file itself: '#', '?' or '%' in the path quoted (as_uri), not read as
    # the URI's parts (which opened, and created, another file)
    uri = Path(name).resolve().as_uri()
    con = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout)
    try:
        # as project_by_slug (.first(): by pk) and design_stamp (.get(): exactly one)
        project = con.execute("SELECT id, slug, pg_version, provider, pk_policy FROM "
                              "web_project WHERE slug = ? ORDER BY id LIMIT 1",
                              (slug,)).fetchone()
        if project is None:
            return None
        designs = con.execute("SELECT id, revision, updated_at FROM web_design WHERE "
                              "project_id = ? AND kind = 'main' LIMIT 2",
                              (project[0],)).fetchall()
    finally:
        con.close()
    if len(designs) != 1:
        return None
    pk, revision, updated = designs[0]
    if not isinstance(updated, str):
        return None
    # Django keeps an aware datetime as naive UTC text in SQLite (USE_TZ)
    when = datetime.fromisoformat(updated).replace(tzinfo=UTC)
    return tuple(project[1:]), (pk, revision, when)


def read_stored(settings: Any, opts: dict[str, Any]) -> bytes | None:
    """The stored drawing ``render_diagram`` with ``opts`` would read back, or None when
    this path cannot tell (see :func:`main`)."""
    caches = getattr(settings, "CACHES", {})
    if "locmem" not in str(caches.get("default", {}).get("BACKEND", "")):
        return None  # Redis: the drawing is kept there, not on disk
    if not getattr(settings, "USE_TZ", False):
        return None
    rows = _rows(getattr(settings, "DATABASES", {}).get("default", {}), opts["slug"])
    if rows is None:
        return None
    project, design = rows
    view = {"detail": opts["detail"], "direction": opts["direction"],
            "focus": opts["focus"], "depth": opts["depth"]}
    key = stored_key(stamp_of(design, project), view, opts["format"])
    try:
        return cache_file(Path(settings.DATA_DIR) / "diagram-cache", key).read_bytes()
    except OSError:
        return None


def main(argv: list[str]) -> bool:
    """Run ``manage.py render_diagram ...`` when its drawing is stored: True when done (the
    file written and said, as the command does); False to leave it to the command."""
    if argv[1:2] != ["render_diagram"]:
        return False
    opts = parse(argv[2:])
    if opts is None:
        return False
    out = Path(opts["out"])
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir() or not parent.is_dir():
        return False
    settings = _settings()
    if settings is None:
        return False
    try:
        body = read_stored(settings, opts)
    except Exception:  # e.g. a database being migrated: the command reads it as usual
        return False
    if body is None:
        return False
    try:
        out.write_bytes(body)
    except OSError:
        return False  # the command says why
    sys.stdout.write(f"wrote {opts['out']} ({len(body)} bytes)\n")
    sys.stdout.flush()
    return True
