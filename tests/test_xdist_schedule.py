"""The ``-n N`` scheduler (tests/xdist_schedule.py) keeps each ``ONE_WORKER`` module on one
worker and still runs every test once, on simulated runs of xdist's own scheduling code."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from xdist.scheduler import LoadScheduling

from tests.xdist_schedule import ONE_WORKER, GroupedLoadScheduling, group_of

ROOT = Path(__file__).resolve().parents[1]
DURATIONS = [0.01, 0.05, 0.2, 1.0, 5.0]  # seconds a simulated test takes


class _Config:
    def __init__(self, workers: int) -> None:
        self.workers = workers

    def getvalue(self, name: str) -> Any:
        assert name == "tx"
        return [f"{self.workers}*popen"]

    def getoption(self, name: str) -> Any:
        assert name == "maxschedchunk"
        return None


class _Node:
    def __init__(self, name: str) -> None:
        self.name = name
        self.gateway = SimpleNamespace(id=name)
        self.queue: list[int] = []
        self.ran: list[int] = []
        self.shutting_down = False

    def send_runtest_some(self, indices: list[int]) -> None:
        self.queue.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


def _collection(rng: random.Random) -> list[str]:
    """Modules of 1 to 40 tests, the ONE_WORKER ones among them (one of them in two runs,
    as pytest's reordering for parametrized fixtures sometimes leaves a module)."""
    modules = [f"tests/m{i}/test_x.py" for i in range(80)]
    for path in ONE_WORKER:
        modules.insert(rng.randrange(len(modules)), path)
    modules.insert(rng.randrange(len(modules)), sorted(ONE_WORKER)[0])
    out: list[str] = []
    for module in modules:
        start = sum(1 for x in out if x.startswith(module + "::"))
        out += [f"{module}::test_{start + k}" for k in range(rng.randint(1, 40))]
    return out


def _quiet(*args: object) -> None:
    pass


def _run(scheduler_class: type[Any], collection: list[str], workers: int, seed: int
         ) -> list[_Node]:
    """Drive the scheduler as xdist's controller does: each worker reports its tests done in
    order, with random durations, until every worker is told to shut down."""
    rng = random.Random(seed)
    sched = scheduler_class(_Config(workers), log=SimpleNamespace(loadsched=_quiet))
    nodes = [_Node(f"gw{i}") for i in range(workers)]
    for node in nodes:
        sched.add_node(node)
        sched.add_node_collection(node, collection)
    sched.schedule()
    clock = {node.name: 0.0 for node in nodes}
    while True:
        busy = [n for n in nodes if n.queue]
        if not busy:
            break
        node = min(busy, key=lambda n: clock[n.name])
        duration = rng.choice(DURATIONS)
        clock[node.name] += duration
        index = node.queue.pop(0)
        node.ran.append(index)
        sched.mark_test_complete(node, index, duration)
    assert all(n.shutting_down for n in nodes)
    return nodes


def _split_modules(nodes: list[_Node], collection: list[str]) -> set[str]:
    where: dict[str, set[str]] = {}
    for node in nodes:
        for index in node.ran:
            where.setdefault(collection[index].split("::")[0], set()).add(node.name)
    return {module for module, names in where.items() if len(names) > 1}


@pytest.mark.parametrize("workers", [2, 3])
def test_one_worker_modules_are_not_split_and_every_test_runs_once(workers: int) -> None:
    split_by_load = 0
    for seed in range(12):
        collection = _collection(random.Random(seed))
        nodes = _run(GroupedLoadScheduling, collection, workers, seed)
        ran = sorted(i for n in nodes for i in n.ran)
        assert ran == list(range(len(collection)))
        assert not _split_modules(nodes, collection) & ONE_WORKER, seed
        for node in nodes:  # and their tests are consecutive on that worker
            groups = [group_of(collection[i]) for i in node.ran]
            runs = [g for k, g in enumerate(groups) if g and (k == 0 or groups[k - 1] != g)]
            assert len(runs) == len(set(runs)), (seed, node.name, runs)
        split_by_load += bool(
            _split_modules(_run(LoadScheduling, collection, workers, seed), collection)
            & ONE_WORKER)
    assert split_by_load > 0  # xdist's load splits them in these very runs


def test_the_one_worker_modules_exist() -> None:
    """A renamed module would silently be distributed again."""
    for path in ONE_WORKER:
        assert (ROOT / path).is_file(), path
