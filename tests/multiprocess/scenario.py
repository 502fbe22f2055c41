"""The multi-process scenario end to end (used by the test and by ``bench/multiprocess.py``):
the stack, the load, the kills, then what the design, the activity log and the import jobs
say about it, as a list of problems (empty: every check held).

Checks:

* no answer was a 5xx, and no edit got an answer other than the expected ones (200/302 when
  saved, 409 for a stale conflicting edit, which is then retried);
* every acknowledged edit is in the design: the tables and columns each client added, and
  for the shared table and column, the last acknowledged comment is the one the design
  holds;
* no edit was applied twice, and none appeared from nowhere: each client-made table and
  column exists once, with one activity entry, and only if it was acknowledged or its
  answer was lost to the killed worker; each conflicting edit's token is in at most one
  activity entry, every acknowledged token in exactly one (by its client's user);
* the element versions count the updates: the shared table's and column's versions went up
  by exactly the number of updates the activity log records for them;
* both imports ended as done (the project with every table of the script) or failed and
  clean (no project of that slug): the job whose task worker was killed failed (unless it
  had just committed), every other import job is done; none is left queued or running.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.multiprocess import load
from tests.multiprocess.harness import Stack, descendants

PASSWORD = "pw-multi-process-9!"  # a throw-away test account
IMPORT_TABLES = 60  # seconds of parsing and creating each: long enough to be killed in


@dataclass
class Report:
    results: dict[str, Any]
    figures: dict[str, dict[str, float]]
    state: dict[str, Any]
    problems: list[str]
    counts: dict[str, Any] = field(default_factory=dict)


def kill_web_worker(st: Stack) -> str:
    """SIGKILL one gunicorn worker (the master starts another)."""
    pids = st.web_workers()
    return "gunicorn worker " + load.kill_one(pids)


def kill_task_worker_mid_import(st: Stack, within: float) -> str:
    """SIGKILL the task worker (with its work horse) that is creating an imported project
    (the write step), as soon as one is under way; after half of ``within`` seconds any
    worker running an import will do. A new worker is started in its place, as a supervisor
    would."""
    start = time.monotonic()
    while time.monotonic() < start + within:
        busy = st.busy_task_workers()
        for pid, (func, job_pk) in busy.items():
            late = time.monotonic() > start + within / 2
            # mid-import: once the task has marked its job running (a worker killed
            # between taking the task and that leaves the job "queued": see README)
            if (func.endswith("import_create") or late) \
                    and st.import_job_status(job_pk) == "running":
                # the worker and its work horse (in a session of its own): a lost machine
                for victim in [*descendants(pid), pid]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(victim, signal.SIGKILL)
                proc = next(p for p in st.task_workers if p.pid == pid)
                proc.wait(10)
                st.start_task_worker()
                return f"task worker pid {pid} running {func.rpartition('.')[2]} of job {job_pk}"
        time.sleep(0.05)
    return "no import was running on a task worker: nothing killed"


def run(st: Stack, *, seconds: float, clients: int) -> Report:
    scenario = load.Scenario(base_url=st.base_url, password=PASSWORD,
                             shared_table=st.seeded["table"],
                             shared_column=st.seeded["column"],
                             clients=clients, seconds=seconds)
    imports = {"imp1": load.import_ddl(IMPORT_TABLES, prefix="imp"),
               "imp2": load.import_ddl(IMPORT_TABLES, prefix="imq")}
    before = st.appctl("inspect")
    results = scenario.run(
        imports=imports, export_version=st.seeded["version"],
        kills={"web": (seconds / 3, lambda: kill_web_worker(st)),
               "task": (0.0, lambda: kill_task_worker_mid_import(st, seconds))},
        import_wait=45.0)
    state = st.appctl("inspect")
    report = Report(results=results, figures=scenario.figures(), state=state, problems=[])
    report.problems = check(scenario, results, before, state, report.counts)
    return report


def check(scenario: load.Scenario, results: dict[str, Any], before: dict[str, Any],
          state: dict[str, Any], counts: dict[str, Any]) -> list[str]:
    problems: list[str] = [f"client error: {e}" for e in scenario.errors]
    statuses = Counter(r.status for r in scenario.records)
    counts["answers"] = dict(sorted(statuses.items()))
    five = Counter((r.kind, r.status) for r in scenario.records if r.status >= 500)
    if five:
        problems.append(f"5xx answers: {dict(five)}")
    for i, ledger in enumerate(scenario.ledgers):
        problems += [f"client {i}: unexpected answer {o}" for o in ledger.other]
    if results.get("stuck"):
        problems.append(f"threads still running: {results['stuck']}")

    acked_tables = set().union(*(ledger.tables for ledger in scenario.ledgers))
    acked_columns = set().union(*(ledger.columns for ledger in scenario.ledgers))
    unknown = set().union(*(ledger.unknown for ledger in scenario.ledgers))
    tables = state["tables"]
    made_tables = {t for t in tables if re.fullmatch(r"t[0-9]+(_[0-9]+)?", t)}
    column_count = Counter(c for t in tables.values() for c in t["columns"])
    made_columns = {c for c in column_count if re.fullmatch(r"c[0-9]+_[0-9]+", c)}
    counts.update(tables_acknowledged=len(acked_tables), columns_acknowledged=len(acked_columns),
                  unknown=len(unknown))
    problems += [f"lost: table {t} was acknowledged but is not in the design"
                 for t in sorted(acked_tables - made_tables)]
    problems += [f"lost: column {c} was acknowledged but is not in the design"
                 for c in sorted(acked_columns - made_columns)]
    problems += [f"from nowhere: table {t}" for t in sorted(made_tables - acked_tables - unknown)]
    problems += [f"from nowhere: column {c}"
                 for c in sorted(made_columns - acked_columns - unknown)]
    problems += [f"twice: column {c} is in the design {n} times"
                 for c, n in column_count.items() if c in made_columns and n > 1]

    new_activity = state["activity"][len(before["activity"]):]
    adds = Counter(a["summary"].rpartition(" ")[2].rpartition(".")[2] for a in new_activity
                   if a["action"] in ("table.add", "column.add"))
    for name in sorted(made_tables | made_columns):
        if adds[name] != 1:
            problems.append(f"activity: {name} has {adds[name]} add entries, not 1")
    for name, n in adds.items():
        if name not in made_tables | made_columns:
            problems.append(f"activity: {n} add entries for {name}, which is not in the design")

    shared = tables.get("shared")
    if shared is None or "note" not in shared["columns"]:
        return [*problems, "the shared table or its column is gone"]
    for kind, uid, acked, current, version, old_version in (
            ("table.update", scenario.shared_table,
             set().union(*(ledger.table_comments for ledger in scenario.ledgers)),
             shared["comment"], shared["version"], before["tables"]["shared"]["version"]),
            ("column.update", scenario.shared_column,
             set().union(*(ledger.column_comments for ledger in scenario.ledgers)),
             shared["columns"]["note"]["comment"], shared["columns"]["note"]["version"],
             before["tables"]["shared"]["columns"]["note"]["version"])):
        entries = [a for a in new_activity if a["action"] == kind and a["target"] == uid]
        tokens = Counter((a["after"] or {}).get("comment") for a in entries)
        counts[kind] = {"acknowledged": len(acked), "logged": len(entries),
                        "conflicts": sum(ledger.conflicts[kind] for ledger in scenario.ledgers),
                        "gave_up": sum(ledger.gave_up[kind] for ledger in scenario.ledgers)}
        problems += [f"{kind}: {t!r} applied {n} times" for t, n in tokens.items() if n > 1]
        problems += [f"{kind}: acknowledged {t!r} is not in the activity log"
                     for t in sorted(acked - set(tokens))]
        problems += [f"{kind}: {t!r} logged but neither acknowledged nor lost"
                     for t in sorted(set(tokens) - acked - unknown)]
        for a in entries:
            token = (a["after"] or {}).get("comment", "")
            who = re.match(r"client ([0-9]+) ", token)
            if who and a["actor"] != f"mp{who.group(1)}":
                problems.append(f"{kind}: {token!r} logged for {a['actor']}")
        if entries and (entries[-1]["after"] or {}).get("comment") != current:
            problems.append(f"{kind}: the design holds {current!r}, the last logged update "
                            f"set {(entries[-1]['after'] or {}).get('comment')!r}")
        if version - old_version != len(entries):
            problems.append(f"{kind}: version went from {old_version} to {version} for "
                            f"{len(entries)} logged updates")

    expected_tables = IMPORT_TABLES
    found = re.search(r"of job ([0-9]+)", results["killed"].get("task") or "")
    killed_job = int(found.group(1)) if found else None
    jobs = state["jobs"]
    counts["imports"] = {slug: r.get("ended") for slug, r in results["imports"].items()}
    for job in jobs:
        if job["status"] in ("queued", "running"):
            problems.append(f"import job {job['pk']} ({job['kind']} {job['slug']}) is still "
                            f"{job['status']}")
    for slug in ("imp1", "imp2"):
        ended = results["imports"].get(slug, {}).get("ended", "no result")
        created = [j for j in jobs if j["slug"] == slug and j["project"] is not None]
        project = created[-1]["project"] if created else None
        if ended == "done":
            if project is None or project["tables"] != expected_tables:
                problems.append(f"import {slug}: done, but the project is {project}")
        elif "failed" in ended or "cancelled" in ended:
            if project is not None:
                problems.append(f"import {slug}: {ended}, yet a project exists: {project}")
        elif "answer lost" not in ended:  # lost: its jobs' rows and the project are checked
            problems.append(f"import {slug}: ended as {ended!r}")
        if project is not None and (project["tables"] != expected_tables
                                    or project["versions"] != 1):
            problems.append(f"import {slug}: half applied: {project}")
        # the job whose worker was killed failed (or had just committed: done, its project
        # whole, checked above); every other job of the imports is done
        for job in (j for j in jobs if j["slug"] == slug):
            want = ("failed", "done") if job["pk"] == killed_job else ("done",)
            if job["status"] not in want:
                problems.append(f"import {slug}: job {job['pk']} ({job['kind']}) is "
                                f"{job['status']}, not {' or '.join(want)}: "
                                f"{job['error'][:300]}")
    export = results.get("export") or {}
    if export.get("status") != 200 or not export.get("files"):
        problems.append(f"export: {export}")
    return problems
