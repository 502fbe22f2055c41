"""Issue 17: start-up cost of the command line: ``manage.py check`` (goal: under 0.4 s) and
``manage.py help``, run as whole processes.

    .venv/bin/python bench/command_startup.py [--runs 10] [--commands check help]

Prints per command the median and minimum CPU time of the process (user + system, from
``wait4``'s resource usage: the machine is shared, so wall clock is mostly other people's
load) and, for reference, the median wall clock. Scratch SQLite database; nothing asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable  # the virtualenv this script runs in


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed: "
                         f"{proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--commands", nargs="+", default=["check", "help"])
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-startup-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:////{tmp.lstrip('/')}/db.sqlite3",
           "DJANGO_SETTINGS_MODULE": "modeler.settings"}
    env.setdefault("SECRET_KEY", "bench-only")
    run(["check"], env)  # warm the bytecode caches
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for command in args.commands:
        cpu, wall = zip(*(run(command.split(), env) for _ in range(args.runs)), strict=True)
        goal = " (goal: under 0.40 s)" if command == "check" else ""
        print(f"manage.py {command:6} CPU median {statistics.median(cpu):.3f} s, min "
              f"{min(cpu):.3f} s{goal}; wall median {statistics.median(wall):.2f} s "
              f"({args.runs} runs)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
