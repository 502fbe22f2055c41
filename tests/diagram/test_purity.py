"""The diagram package stays pure: no Django, no SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_django_or_sqlalchemy_imports() -> None:
    code = ("import sys, modeler.diagram, modeler.diagram.sample; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('django', 'sqlalchemy', 'alembic')); print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
