"""The Drizzle toolchain the tests run exported bundles with.

``tests/drizzle/toolchain/package.json`` + ``package-lock.json`` pin drizzle-orm, drizzle-kit,
TypeScript, pg and the Neon driver; ``npm ci`` installs them into ``.cache/drizzle-toolchain``
(git-ignored), again only when the lockfile changed (``scripts/setup.sh --test`` does the same
step). Bundles under test get a ``node_modules`` symlink to it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "toolchain"
CACHE = ROOT / ".cache" / "drizzle-toolchain"


def lock_hash() -> str:
    return hashlib.sha256((FIXTURE / "package-lock.json").read_bytes()).hexdigest()[:16]


def missing_node() -> str | None:
    """Why the toolchain cannot run here (None: node and npm are installed)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/setup.sh --test installs Debian's nodejs npm)"
    return None


def ensure_toolchain() -> Path:
    """``node_modules`` of the pinned toolchain, installed with ``npm ci`` when missing or
    when the lockfile changed."""
    stamp = CACHE / ".lockhash"
    wanted = lock_hash()
    if stamp.is_file() and stamp.read_text().strip() == wanted and (
            CACHE / "node_modules" / ".bin" / "drizzle-kit").exists():
        return CACHE / "node_modules"
    CACHE.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(FIXTURE / name, CACHE / name)
    env = {**os.environ, "npm_config_update_notifier": "false"}
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CACHE,
                   check=True, timeout=600, env=env)
    stamp.write_text(wanted + "\n")
    return CACHE / "node_modules"
