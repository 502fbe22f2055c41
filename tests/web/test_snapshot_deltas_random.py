"""Issue #17 review: randomized edits by two web processes (two SnapshotCache states sharing
one cache backend: Redis when it answers, as in production), through the real services --
forms' edits, undo/redo, version restore, table moves, a re-layout-sized change, rolled-back
edits (their revision number reused), a renamed project, changed settings, an import-style
materialize. After every step each process's snapshot (from its own cache, caught up through
the deltas or read) equals a fresh read of the rows; SNAPSHOT_CACHE_VERIFY checks every hit
and every catch-up too."""

from __future__ import annotations

import contextlib
import itertools
import random
import threading
import uuid
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection, transaction

from modeler.schema import actions
from modeler.schema import model as m
from modeler.web import models as db
from modeler.web import services, undo
from modeler.web import snapshot as sn
from modeler.web.editing import Refused, apply_edit
from modeler.web.snapshot import materialize, snapshot_at, snapshot_uncached
from modeler.web.versions import version_restore, version_save

pytestmark = pytest.mark.django_db(transaction=True)
_COUNTER = itertools.count()
REDIS = "redis://127.0.0.1:6379/12"


class _Boom(Exception):
    pass


def _redis_or_locmem() -> dict[str, Any]:
    """Redis when it answers (a prefix of this test's own: other test processes share the
    database number, and the same design ids in their databases)."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                            "LOCATION": REDIS, "TIMEOUT": 3600,
                            "KEY_PREFIX": f"review-{uuid.uuid4().hex}"}}
    except Exception:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                            "LOCATION": "review-deltas"}}


def _column(name: str) -> m.Column:
    return m.Column(uid=actions.new_uid(), name=name, type=m.ColumnType(name="text"),
                    comment=name, nullable=True)


def _drop(s: m.Schema, uid: str) -> m.Schema:
    return m.normalized(replace(
        s, tables=tuple(t for t in s.tables if t.uid != uid),
        relationships=tuple(r for r in s.relationships
                            if uid not in (r.child_table, r.parent_table))))


@pytest.mark.parametrize("seed", range(4))
def test_two_processes_random_edits(seed: int, django_user_model: Any, settings: Any,
                                    monkeypatch: Any) -> None:
    settings.CACHES = _redis_or_locmem()
    settings.SNAPSHOT_CACHE_VERIFY = True
    rnd = random.Random(seed)
    user = django_user_model.objects.create_user(f"rv{seed}-{next(_COUNTER)}")
    project = services.project_create(name="r", slug=f"rv{seed}x{next(_COUNTER)}",
                                      owner=user)
    design = services.main_design(project)
    procs = [sn.SnapshotCache(), sn.SnapshotCache()]
    monkeypatch.setattr(sn, "CACHE", procs[0])
    s, _a = actions.add_table(m.Schema(), name="alpha", comment="The alpha table.")
    s, _b = actions.add_table(s, name="beta", comment="The beta table.")
    materialize(s, design)
    log: list[str] = []
    hits: list[bool] = []
    real_caught_up = sn.caught_up

    def counted(*args: Any) -> m.Schema | None:
        out = real_caught_up(*args)
        hits.append(out is not None)
        return out

    monkeypatch.setattr(sn, "caught_up", counted)

    def edit(change: Any, action: str = "column.add") -> None:
        apply_edit(design=db.Design.objects.get(pk=design.pk), actor=user, action=action,
                   summary=action, target_uid=None, change=change, gated=False)

    def tables() -> list[str]:
        return [t.uid for t in snapshot_uncached(design.pk).tables]

    def step(kind: str) -> None:
        uids = tables()
        if kind == "add_table":
            edit(lambda x: actions.add_table(x, name=f"t{next(_COUNTER)}",
                                             comment="A table.")[0], "table.add")
        elif kind == "add_column" and uids:
            u = rnd.choice(uids)
            edit(lambda x: actions.add_column(x, u, _column(f"c{next(_COUNTER)}")))
        elif kind == "rename" and uids:
            u = rnd.choice(uids)
            edit(lambda x: m.normalized(replace(x, tables=tuple(
                replace(t, name=f"r{next(_COUNTER)}") if t.uid == u else t
                for t in x.tables))), "table.rename")
        elif kind == "drop" and len(uids) > 1:
            u = rnd.choice(uids)
            edit(lambda x: _drop(x, u), "table.delete")
        elif kind == "relate" and len(uids) > 1:
            c, p = rnd.sample(uids, 2)
            edit(lambda x: actions.draw_relationship(x, child_uid=c, parent_uid=p),
                 "relationship.add")
        elif kind == "enum":
            edit(lambda x: actions.save_enum(x, uid=actions.new_uid(),
                                             name=f"e{next(_COUNTER)}", namespace="public",
                                             labels=["a", "b"], comment="",
                                             existing=False), "enum.add")
        elif kind == "move" and uids:
            u = rnd.choice(uids)
            edit(lambda x: actions.move_table(x, u, m.Position(rnd.randint(0, 900),
                                                               rnd.randint(0, 900))),
                 "table.move")
        elif kind == "relayout":  # every table moves: more than DELTA_MAX_ELEMENTS
            monkeypatch.setattr(sn, "DELTA_MAX_ELEMENTS", 1)
            try:
                edit(lambda x: m.normalized(replace(x, tables=tuple(
                    replace(t, position=m.Position(rnd.randint(0, 900), 5))
                    for t in x.tables))), "diagram.relayout")
            finally:
                monkeypatch.setattr(sn, "DELTA_MAX_ELEMENTS", 200)
        elif kind == "undo":
            with contextlib.suppress(Refused):
                undo.undo(db.Design.objects.get(pk=design.pk), user)
        elif kind == "redo":
            with contextlib.suppress(Refused):
                undo.redo(db.Design.objects.get(pk=design.pk), user)
        elif kind == "rollback" and uids:
            u = rnd.choice(uids)
            try:
                with transaction.atomic():
                    edit(lambda x: actions.add_column(x, u, _column(f"gone{next(_COUNTER)}")))
                    raise _Boom
            except _Boom:
                pass
        elif kind == "version":
            with contextlib.suppress(Refused):
                version_save(project=db.Project.objects.get(pk=project.pk), actor=user,
                             message=f"v{next(_COUNTER)}")
        elif kind == "restore":
            numbers = list(db.Version.objects.filter(project=project)
                           .values_list("number", flat=True))
            if numbers:
                with contextlib.suppress(Refused):
                    version_restore(project=db.Project.objects.get(pk=project.pk),
                                    actor=user, number=rnd.choice(numbers))
        elif kind == "settings":
            db.Project.objects.filter(pk=project.pk).update(
                pg_version=rnd.choice([14, 15, 16, 17]))
        elif kind == "slug":
            db.Project.objects.filter(pk=project.pk).update(slug=f"s{next(_COUNTER)}")
        elif kind == "import":
            current = snapshot_uncached(design.pk)
            if current.tables:
                materialize(actions.add_column(current, current.tables[0].uid,
                                               _column(f"i{next(_COUNTER)}")),
                            db.Design.objects.get(pk=design.pk))

    kinds = ["add_table", "add_column", "rename", "drop", "relate", "enum", "move",
             "relayout", "undo", "redo", "rollback", "version", "restore", "settings",
             "slug", "import"]
    for i in range(60):
        writer = rnd.randrange(2)
        monkeypatch.setattr(sn, "CACHE", procs[writer])
        kind = rnd.choice(kinds)
        log.append(f"{i}: process {writer} {kind}")
        try:
            step(kind)
        except Refused:
            log.append("  refused")
        truth = snapshot_uncached(design.pk)
        # each process reads (the other first, as the next request that lands on it)
        for p in (1 - writer, writer, rnd.randrange(2)):
            monkeypatch.setattr(sn, "CACHE", procs[p])
            got, _ = snapshot_at(design.pk)
            assert got == truth, "\n".join([*log, f"process {p} differs from the rows"])
    # the deltas were taken (the test is about them) and so was the way through the rows
    assert any(hits) and not all(hits), hits


class _PerThread:
    """A SnapshotCache per thread: each thread is a web process of its own."""

    def __init__(self) -> None:
        self._local = threading.local()
        self.all: list[sn.SnapshotCache] = []
        self._lock = threading.Lock()

    def _mine(self) -> sn.SnapshotCache:
        found: sn.SnapshotCache | None = getattr(self._local, "cache", None)
        if found is None:
            found = self._local.cache = sn.SnapshotCache()
            with self._lock:
                self.all.append(found)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mine(), name)


def test_two_processes_editing_at_once(django_user_model: Any, settings: Any,
                                       monkeypatch: Any) -> None:
    """Two "processes" (threads, each its own connection and snapshot cache) edit the same
    design at the same time: every catch-up is checked against the rows
    (SNAPSHOT_CACHE_VERIFY), and once they are done each one's snapshot is the rows'."""
    settings.CACHES = _redis_or_locmem()
    settings.SNAPSHOT_CACHE_VERIFY = True
    user = django_user_model.objects.create_user(f"cc{next(_COUNTER)}")
    project = services.project_create(name="c", slug=f"cc{next(_COUNTER)}", owner=user)
    design = services.main_design(project)
    s, a = actions.add_table(m.Schema(), name="alpha", comment="The alpha table.")
    s, b = actions.add_table(s, name="beta", comment="The beta table.")
    materialize(s, design)
    per = _PerThread()
    monkeypatch.setattr(sn, "CACHE", per)
    errors: list[BaseException] = []
    hits: list[bool] = []
    real_caught_up = sn.caught_up

    def counted(*args: Any) -> m.Schema | None:
        out = real_caught_up(*args)
        hits.append(out is not None)
        return out

    monkeypatch.setattr(sn, "caught_up", counted)

    def work(seed: int) -> None:
        rnd = random.Random(seed)
        try:
            for _ in range(25):
                u = rnd.choice([a, b])
                if rnd.random() < 0.3:
                    at = m.Position(rnd.randint(0, 900), rnd.randint(0, 900))
                    change: Any = lambda x, u=u, at=at: actions.move_table(  # noqa: E731
                        x, u, at)
                else:
                    col = _column(f"c{seed}_{next(_COUNTER)}")
                    change = lambda x, u=u, col=col: actions.add_column(x, u, col)  # noqa: E731
                got, revision = snapshot_at(design.pk)
                apply_edit(design=db.Design.objects.get(pk=design.pk), actor=user,
                           action="column.add", summary="x", target_uid=None,
                           change=change, gated=False, known=(got, revision))
                snapshot_at(design.pk)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    truth = snapshot_uncached(design.pk)
    assert len(per.all) >= 2
    for cache_ in per.all:
        monkeypatch.setattr(sn, "CACHE", cache_)
        assert snapshot_at(design.pk)[0] == truth
    assert any(hits), hits
