#!/usr/bin/env bash
# Install what is missing, and only that: Debian packages, then a virtual environment with the
# Python packages. Idempotent; fast on the second run. `--test` adds what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-app}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

pkgs=()
command -v dot >/dev/null 2>&1 || pkgs+=(graphviz)
command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || pkgs+=(python3-venv)
if [ "$MODE" = "--test" ]; then
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || pkgs+=(postgresql)
  command -v pg_dump >/dev/null 2>&1 || pkgs+=(postgresql-client)
  [ -x /usr/sbin/pgbouncer ] || pkgs+=(pgbouncer)
  command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
  # fonts so that screenshots and Graphviz text measure the same everywhere
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || pkgs+=(fonts-dejavu-core)
fi
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi

# The Debian `postgresql` package starts a cluster of its own; the tests start their own
# throw-away cluster and do not need it.

PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  $PY -m venv .venv
fi
extra=""; [ "$MODE" = "--test" ] && extra="[test]"
stamp=".venv/.installed${extra}"
# Reinstall only when pyproject.toml changed since the last install.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages${extra:+ (with test extras)}"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
  touch "$stamp"
fi
