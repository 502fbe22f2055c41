"""Issue 17: a helper process forked as ``manage.py export_bundle`` starts.

The command's process spends its first ~0.4 s of CPU starting Django (its models, the apps)
before it can read the version to export. A child forked by ``manage.py`` before that
(:func:`start`) imports SQLAlchemy and the renderers meanwhile, then waits: once the command
has read the versions it sends them (:meth:`Helper.ask`: their stored JSON and what the
files say of them, as text). The helper reads them, plans, parses the expressions once,
forks a child of its own for ``<pkg>/models.py`` and ``schema.sql`` (:func:`forked`) and
renders the rest meanwhile (:func:`bundle_files`), deflating each file as the zip holds
it, and sends them all back; the command adds the drawing (and ``REHEARSAL.md``) and
writes the zip. The helper makes the files with the functions the command would call,
from the same texts read the same way: the bytes are the command's. When it fails, the
command makes them itself.

This module imports neither Django nor SQLAlchemy (``manage.py`` imports it first).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from modeler.forking import Child, fork_safe, write_within

if TYPE_CHECKING:
    from modeler.codegen.bundle import Deflated, Target
    from modeler.codegen.versions import VersionInput
    from modeler.schema.model import Schema


class VersionRecord(NamedTuple):
    """A saved version as stored: what its :class:`VersionInput` is made of (the schema as
    its JSON text)."""

    number: int
    message: str
    author: str
    created: str
    baseline: bool
    notes: tuple[str, ...]
    text: str  # the version's schema JSON

    def version_input(self, schema: Schema | None = None) -> VersionInput:
        """The version as the bundle's input (``schema``: its JSON already read, diagram
        positions and all)."""
        from modeler.codegen.versions import VersionInput
        from modeler.schema import serialize

        return VersionInput(number=self.number, message=self.message, author=self.author,
                            created=self.created,
                            schema=without_positions(schema if schema is not None
                                                     else serialize.loads(self.text)),
                            baseline=self.baseline, notes=self.notes)


def without_positions(schema: Schema) -> Schema:
    """``schema`` without its tables' diagram positions (itself when it has none): positions
    are design metadata, not database state (they would only add "design only" steps to
    the revisions)."""
    if all(t.position is None for t in schema.tables):
        return schema
    return replace(schema, tables=tuple(replace(t, position=None) for t in schema.tables))


class Job(NamedTuple):
    """What the bundle's files depend on besides the versions."""

    slug: str
    title: str | None  # the project's name
    target: str  # sqlalchemy, drizzle or both
    findings: str  # the last version's rule report (DESIGN.md), as its stored JSON
    waivers: list[Any]  # its waivers as the bundle lists them (DESIGN.md)


def make_files(job: Job, inputs: Sequence[VersionInput], *,
               fork: bool = True) -> dict[str, Deflated]:
    """Every file of the bundle but ``diagram.svg`` and ``REHEARSAL.md``, deflated
    (:func:`modeler.codegen.bundle.bundle_files` without them, for these versions); with
    ``fork``, ``<pkg>/models.py`` and ``schema.sql`` are made by a child process (they take
    about as long as the rest) and each file is deflated on a thread as soon as it is
    made."""
    from modeler.codegen.bundle import (
        Deflated,
        bundle_files,
        design_models_py,
        design_schema_sql,
    )
    from modeler.codegen.plan import build_plan
    from modeler.codegen.sqlwriter import parse_expressions
    from modeler.codegen.versions import chain
    from modeler.diff.compare_types import early_raw_objects

    schema = chain(inputs)[-1].version.schema
    plan = build_plan(schema)
    with contextlib.ExitStack() as stack:
        schema_sql = models_py = None
        if fork and job.target != "drizzle":
            parse_expressions(schema)  # once, for both processes
            early_raw_objects(schema)  # as above (schema.sql and the revision's differ)
            apart = stack.enter_context(forked(lambda: _joined(
                design_models_py(schema, plan, slug=job.slug, title=job.title),
                design_schema_sql(schema, plan, slug=job.slug, title=job.title))))

            def models_py() -> str:
                return _parts(apart())[0]

            def schema_sql() -> str:
                return _parts(apart())[1]
        zipper = stack.enter_context(ThreadPoolExecutor(max_workers=1,
                                                        thread_name_prefix="export-zip"))

        def deflate(body: bytes) -> Callable[[], Deflated]:
            return zipper.submit(Deflated.of, body).result

        files = bundle_files(inputs, slug=job.slug, title=job.title,
                             findings=json.loads(job.findings), waivers=job.waivers,
                             target=cast("Target", job.target), schema_sql=schema_sql,
                             models_py=models_py, plan=plan, deflate=deflate if fork else None)
        out: dict[str, Deflated] = {}
        for path, body in files.items():
            got = body() if callable(body) else body
            out[path] = got if isinstance(got, Deflated) else Deflated.of(got)
        return out


# --- the request and the answer, as bytes ---------------------------------------------------

def _encode(header: Mapping[str, Any], blobs: Sequence[bytes]) -> bytes:
    return json.dumps(header).encode("ascii") + b"\n" + b"".join(blobs)


def _decode(data: bytes) -> tuple[Any, memoryview]:
    end = data.index(b"\n")
    return json.loads(data[:end]), memoryview(data)[end + 1:]


def request_bytes(job: Job, records: Sequence[VersionRecord]) -> bytes:
    """``job`` and ``records`` as bytes: a JSON header, then the texts (the rule report and
    each version's JSON) as they are (not escaped into the header: megabytes on a large
    design)."""
    findings = job.findings.encode("utf-8", "surrogatepass")
    texts = [r.text.encode("utf-8", "surrogatepass") for r in records]
    versions = [[*r[:-2], list(r.notes), len(t)] for r, t in zip(records, texts, strict=True)]
    header = {"job": job._replace(findings="")._asdict(), "findings": len(findings),
              "versions": versions}
    return _encode(header, [findings, *texts])


def read_request(data: bytes) -> tuple[Job, list[VersionRecord]]:
    header, rest = _decode(data)
    at = header["findings"]
    job = Job(**header["job"])._replace(
        findings=bytes(rest[:at]).decode("utf-8", "surrogatepass"))
    records = []
    for number, message, author, created, baseline, notes, size in header["versions"]:
        text = bytes(rest[at:at + size]).decode("utf-8", "surrogatepass")
        records.append(VersionRecord(number, message, author, created, baseline,
                                     tuple(notes), text))
        at += size
    return job, records


def answer_bytes(files: Mapping[str, Deflated]) -> bytes:
    return _encode({"files": [[path, f.crc, f.size, len(f.data)] for path, f in files.items()]},
                   [f.data for f in files.values()])


def read_answer(data: bytes) -> dict[str, Deflated]:
    from modeler.codegen.bundle import Deflated

    header, rest = _decode(data)
    out, at = {}, 0
    for path, crc, size, length in header["files"]:
        out[path] = Deflated(crc, size, bytes(rest[at:at + length]))
        at += length
    return out


def serve(request: bytes) -> bytes:
    """The helper's work: the answer to ``request`` (the files, deflated)."""
    job, records = read_request(request)
    return answer_bytes(make_files(job, [r.version_input() for r in records]))


# --- the processes --------------------------------------------------------------------------

def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as f:
        return f.read()


# seconds the command waits for the helper to take the request and to answer before it
# makes the files itself (a helper stopped or stuck, never a slow one: the whole export of
# 1,000 tables takes a few seconds)
HELPER_TIMEOUT = float(os.environ.get("MODELER_EXPORT_HELPER_TIMEOUT", "300"))


def _write_within(fd: int, data: bytes, deadline: float) -> None:
    """:func:`modeler.forking.write_within`, the pipe ``fd`` closed after."""
    try:
        write_within(fd, data, deadline)
    finally:
        os.close(fd)


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when its parent dies (a command stopped by
    SIGTERM would otherwise leave its helper working to the end)."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before that
        os._exit(1)


# what the helper imports while the command starts Django (SQLAlchemy with ddl)
PRELOADED = ("modeler.schema.serialize", "modeler.codegen.bundle", "modeler.codegen.ddl",
             "modeler.codegen.models", "modeler.codegen.designdoc",
             "modeler.codegen.migration", "modeler.codegen.tpl_alembic",
             "modeler.codegen.tpl_db", "modeler.codegen.tpl_tests")


# what both processes import (the command while Django starts and for the export, the helper
# for its work), imported before the fork instead of by each (about 0.1 s of CPU): neither
# Django nor SQLAlchemy, and no module that starts a thread
SHARED = ("asyncio", "importlib.metadata", "zipfile", "typing_extensions", "platform",
          "pickle", "hashlib", "decimal", "uuid", "sysconfig", "modeler.schema.serialize",
          "modeler.codegen.bundle")


def _child(inbox: int) -> bytes:
    """The helper's work: its answer to the request read from ``inbox``."""
    # a short-lived process whose objects (modules first) stay alive to its end: nothing
    # for the collector
    gc.disable()
    # what the work imports, while the parent starts Django (a request comes after that)
    for name in PRELOADED:
        importlib.import_module(name)
    request = _read_all(inbox)
    if not request:  # the command needs nothing (an error, the Drizzle target)
        return b""
    return serve(request)


class Helper:
    """The helper forked by :func:`start`, waiting for a request."""

    def __init__(self, child: Child, to_child: int) -> None:
        self.pid = child.pid
        self._child = child
        self._to_child: int | None = to_child
        self._collected = False
        self._deadline: float | None = None

    def ask(self, request: bytes) -> None:
        """Send ``request`` (:func:`request_bytes`); the helper works meanwhile
        (:meth:`collect` waits for its files). A helper that takes no request within
        :data:`HELPER_TIMEOUT` is stopped (its answer is then none)."""
        self._deadline = time.monotonic() + HELPER_TIMEOUT
        fd, self._to_child = self._to_child, None
        if fd is not None:
            try:
                _write_within(fd, request, self._deadline)
            except TimeoutError:
                self.stop()
            except OSError:  # the helper is gone: its answer will be empty
                pass

    def collect(self) -> dict[str, Deflated]:
        """The helper's files (none when it failed or gave no answer within
        :data:`HELPER_TIMEOUT` of the request: it is stopped), the helper reaped."""
        if self._collected:
            return {}
        self._collected = True
        data = self._child.result(self._deadline if self._deadline is not None
                                  else time.monotonic() + HELPER_TIMEOUT)
        if not data:  # failed, or stopped for want of an answer
            self.stop()
            return {}
        try:
            return read_answer(data)
        except (ValueError, KeyError, TypeError):
            return {}

    def stop(self) -> None:
        """End the child if it still runs, and reap it."""
        fd, self._to_child = self._to_child, None
        if fd is not None:
            os.close(fd)
        self._collected = True
        self._child.stop()


_STARTED: list[Helper] = []  # the helper start() forked (taken or not)
_WAITING: list[Helper] = []  # the one not taken yet


def wanted(argv: Sequence[str]) -> bool:
    """Whether ``manage.py <argv>`` is an export the helper can serve: ``export_bundle``,
    not ``--target drizzle`` (the setting's default target is known later: a helper not
    asked is stopped), not ``--help``."""
    if len(argv) < 2 or argv[1] != "export_bundle":
        return False
    args = list(argv[2:])
    if any(a in ("-h", "--help") for a in args):
        return False
    for i, arg in enumerate(args):
        if arg == "--target" and i + 1 < len(args) and args[i + 1] == "drizzle":
            return False
        if arg == "--target=drizzle":
            return False
    return True


def start() -> None:
    """Fork the helper (where fork is possible and this process has no other thread: its
    locks would stay held in the child; a refused fork leaves none, and the command makes
    the files itself). Call it first thing in the process."""
    if _STARTED or not fork_safe():
        return
    for name in SHARED:  # once, for both processes
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    inbox, to_child = os.pipe()
    parent = os.getpid()

    def work() -> bytes:  # in the child (a failure: the parent makes the files itself)
        _die_with_parent(parent)
        os.close(to_child)
        return _child(inbox)

    try:
        child = Child.start(work)
    except OSError:  # refused (no process left for this user, say): no helper, the
        child = None  # command makes the files itself
    finally:
        os.close(inbox)
    if child is None:  # refused, or SHARED started a thread after all: no helper
        os.close(to_child)
        return
    helper = Helper(child, to_child)
    _STARTED.append(helper)
    _WAITING.append(helper)


def take() -> Helper | None:
    """The waiting helper, for one export (None when there is none)."""
    return _WAITING.pop() if _WAITING else None


def stop() -> None:
    """Stop and reap the helper, whatever became of it (the command's way out)."""
    _WAITING.clear()
    while _STARTED:
        _STARTED.pop().stop()


def _joined(first: str, second: str) -> str:
    """Two texts as one (:func:`_parts` splits them again)."""
    return f"{len(first)}\n{first}{second}"


def _parts(text: str) -> tuple[str, str]:
    size, _, rest = text.partition("\n")
    return rest[:int(size)], rest[int(size):]


@contextlib.contextmanager
def forked(work: Callable[[], str]) -> Iterator[Callable[[], str]]:
    """A function giving ``work()``'s text, computed by a child process forked here (it
    shares this one's memory: nothing is pickled or imported again) while the caller goes
    on; the text comes back through a pipe. Where a fork is unsafe (another thread runs:
    its locks would stay held in the child), impossible or refused, ``work`` runs when the
    text is asked for. A child that fails hands the work back: it runs here, so its error is raised
    here, as without the child. On leaving, a child whose text was not asked for is ended
    and waited for (no zombie, no child left running)."""
    # the child freezes its collector (scanning the parent's objects would copy every page
    # the child shares with the parent: about 0.1 s on musicbrainz)
    try:
        child = Child.start(lambda: work().encode("utf-8", "surrogatepass"))
    except OSError:  # refused (no process left for this user, say): the work runs here
        child = None
    done: list[str] = []
    if child is None:  # once, however often the text is asked for (it is asked twice)
        def here() -> str:
            if not done:
                done.append(work())
            return done[0]

        yield here
        return

    def result() -> str:
        if not done:
            data = child.result()
            done.append(data.decode("utf-8", "surrogatepass") if data is not None
                        else work())
        return done[0]

    try:
        yield result
    finally:
        child.stop()  # the caller failed before asking: stop and reap the child
