"""pytest-xdist's ``load`` scheduling that never splits a few named test modules between
workers (tests/conftest.py installs it for ``-n N``, the default ``--dist load``).

``load`` hands each worker runs of consecutive tests from the collection; where a run ends
inside a module, the module's tests go to both workers and each worker builds the module's
fixtures again: the one ``tsc`` over all Drizzle bundles (half a minute), the child
processes that import the deep and hostile inputs. Here a batch with a test of one of
``ONE_WORKER``'s modules takes all that module's other pending tests along, so each of
them runs on one worker, and everything else is distributed as ``load`` does it.

(``--dist loadgroup`` with ``xdist_group`` marks does not work with pytest 9.2: xdist writes
the group into ``item._nodeid``, which ``Item.nodeid`` no longer reads, so nothing was
grouped. This needs nothing but the node ids the workers report, which are plain paths.)
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadScheduling

# test modules whose module-scoped fixtures are expensive enough to build once per run
ONE_WORKER = frozenset({
    "tests/drizzle/test_typecheck.py",            # tsc over every exported bundle, ~30 s
    "tests/importers/test_deep_input.py",         # the deep SQL inputs in a child, ~15 s
    "tests/importers/test_dbml_robust.py",        # the hostile DBML inputs in a child, ~8 s
    # every road's outcomes, for 1,348 tests: load's first batch ends inside it
    "tests/codegen/test_expression_oracle.py",
})


def group_of(nodeid: str) -> str | None:
    """The ``ONE_WORKER`` module a test belongs to, else None."""
    module = nodeid.split("::", 1)[0]
    return module if module in ONE_WORKER else None


class GroupedLoadScheduling(LoadScheduling):
    """``load``, except that a batch sent to a worker takes along every other pending test of
    each ``ONE_WORKER`` module it has a test of, all of the module's tests in a row (one build
    of its fixtures)."""

    def _send_tests(self, node: Any, num: int) -> None:
        pending: list[int] = self.pending
        collection: list[str] = self.collection
        groups = {group_of(collection[i]) for i in pending[:max(num, 0)]} - {None}
        if groups:
            of_group: dict[str | None, list[int]] = {g: [] for g in groups}
            rest: list[int] = []
            for i in pending[num:]:
                of_group.get(group_of(collection[i]), rest).append(i)
            batch: list[int] = []
            for i in pending[:num]:
                g = group_of(collection[i])
                if g is None:
                    batch.append(i)
                elif g in of_group:  # the group's first test: the whole group here
                    batch += [j for j in pending[:num] if group_of(collection[j]) == g]
                    batch += of_group.pop(g)
            pending[:] = batch + rest
            num = len(batch)
        super()._send_tests(node, num)
