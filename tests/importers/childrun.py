"""Run importer cases in a child Python process, so that a crash (a parser's segfault) or a
hang fails the test naming the input instead of killing the test run.

The child prints ``["start", name]`` before each case and one JSON row per outcome whose
second item is the case's name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _started(out: str) -> str:
    names = [json.loads(x)[1] for x in out.splitlines() if x.startswith('["start"')]
    return repr(names[-1]) if names else "'?'"


def outcomes(child: str, timeout: float) -> dict[str, list[Any]]:
    """Each case's outcome row by name, from running the source ``child``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        done = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        pytest.fail(f"the import hung on input {_started(out)}")
    assert done.returncode == 0, (f"the process died (code {done.returncode}) on input "
                                  f"{_started(done.stdout)}: {done.stderr[-3000:]}")
    rows = [json.loads(x) for x in done.stdout.splitlines() if not x.startswith('["start"')]
    return {str(r[1]): r for r in rows}
