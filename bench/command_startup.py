"""Issue 17: start-up cost of the command line: ``manage.py check`` (goal: under 0.4 s),
``manage.py help`` and the product commands' start-up (``<command> --help``: Django's start,
the command's own imports, the way out), run as whole processes.

    .venv/bin/python bench/command_startup.py [--runs 10] [--commands check help ...]
                                              [--no-products] [--bytecode]

Prints per command the median and minimum CPU time of the process (user + system, from
``wait4``'s resource usage: the machine is shared, so wall clock is mostly other people's
load) and, for reference, the median wall clock. Scratch SQLite database; nothing asserted.

Where ``PYTHONDONTWRITEBYTECODE`` is set (this sandbox and the Dockerfile set it), Python
writes no ``__pycache__`` and every process compiles the app's modules from source again
(~0.18 s of CPU for modeler/codegen, schema, diff and web; site-packages were compiled when
installed). ``--bytecode`` also times each command with a bytecode cache, as an install
that keeps one has (a private ``PYTHONPYCACHEPREFIX``: nothing is written into the tree).
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
PRODUCT_COMMANDS = ("create_project", "ensure_admin", "export_bundle", "export_dbml",
                    "import_schema", "lint_schema", "rehearse", "render_diagram",
                    "save_version")


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
    parser.add_argument("--no-products", action="store_true",
                        help="leave out the product commands' --help")
    parser.add_argument("--bytecode", action="store_true",
                        help="also time with a bytecode cache (see above)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-startup-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:////{tmp.lstrip('/')}/db.sqlite3",
           "DJANGO_SETTINGS_MODULE": "modeler.settings"}
    env.setdefault("SECRET_KEY", "bench-only")
    commands = list(args.commands)
    if not args.no_products:
        commands += [f"{name} --help" for name in PRODUCT_COMMANDS]
    modes = [("", env)]
    if args.bytecode:
        cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        modes.append((" [bytecode cache]", cached))
    for _, mode_env in modes:
        run(["check"], mode_env)  # warm the caches (and write the bytecode one)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")
    for command in commands:
        for label, mode_env in modes:
            cpu, wall = zip(*(run(command.split(), mode_env) for _ in range(args.runs)),
                            strict=True)
            goal = " (goal: under 0.40 s)" if command == "check" else ""
            print(f"manage.py {command + label:38} CPU median {statistics.median(cpu):.3f} s, "
                  f"min {min(cpu):.3f} s{goal}; wall median {statistics.median(wall):.2f} s "
                  f"({args.runs} runs)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
