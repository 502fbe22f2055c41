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
  # the multi-process test (tests/multiprocess) starts a private redis-server of its own
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || pkgs+=(redis-server)
  command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
  # fonts so that screenshots and Graphviz text measure the same everywhere
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || pkgs+=(fonts-dejavu-core)
fi
export DEBIAN_FRONTEND=noninteractive
apt_updated=""
apt_install() {
  echo "setup: installing Debian packages: $*"
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -q; apt_updated=1; fi
  $SUDO apt-get install -y -q --no-install-recommends "$@"
}
if [ ${#pkgs[@]} -gt 0 ]; then apt_install "${pkgs[@]}"; fi

if [ "$MODE" = "--test" ]; then
  # PostgreSQL extensions that schemas of the fidelity corpus need and that are no part of the
  # server package (which brings the contrib ones: btree_gist, citext, cube, earthdistance,
  # unaccent, pg_trgm, hstore, ...): PostGIS and PL/Perl, for the newest installed server (the
  # one tests/pgtemp.py starts). Detected by their files, so a second run costs nothing. A
  # package the archive lacks only warns: the tests needing it skip with a message.
  pg_major=""
  for ctl in /usr/lib/postgresql/*/bin/pg_ctl; do
    [ -x "$ctl" ] || continue
    v="${ctl#/usr/lib/postgresql/}"; v="${v%%/*}"
    if [[ "$v" =~ ^[0-9]+$ ]] && { [ -z "$pg_major" ] || [ "$v" -gt "$pg_major" ]; }; then
      pg_major="$v"
    fi
  done
  if [ -n "$pg_major" ]; then
    ext_pkgs=()
    [ -e "/usr/share/postgresql/$pg_major/extension/postgis.control" ] \
      || ext_pkgs+=("postgresql-$pg_major-postgis-3")
    [ -e "/usr/lib/postgresql/$pg_major/lib/plperl.so" ] \
      || ext_pkgs+=("postgresql-plperl-$pg_major")
    if [ ${#ext_pkgs[@]} -gt 0 ]; then
      if [ -z "$apt_updated" ]; then $SUDO apt-get update -q; apt_updated=1; fi
      available=()
      for p in "${ext_pkgs[@]}"; do
        if [ -n "$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p' \
              | grep -v '(none)')" ]; then
          available+=("$p")
        else
          echo "setup: warning: Debian package $p not available; tests of schemas that" \
               "need it will be skipped" >&2
        fi
      done
      if [ ${#available[@]} -gt 0 ]; then apt_install "${available[@]}"; fi
    fi
  fi
fi

# --- Drizzle toolchain (tests/drizzle) -------------------------------------------------------
# The Drizzle export tests compile and migrate exported TypeScript projects with the pinned
# toolchain of tests/drizzle/toolchain/package-lock.json: Debian's nodejs and npm, then
# `npm ci` into the git-ignored .cache/drizzle-toolchain, again only when the lockfile changed
# (its hash is kept in .cache/drizzle-toolchain/.lockhash; tests/drizzle/toolchain.py does the
# same check). Self-contained: needs nothing from the rest of this script.
if [ "$MODE" = "--test" ]; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup: installing Debian packages: nodejs npm"
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends nodejs npm
  fi
  dz_lock="tests/drizzle/toolchain/package-lock.json"
  dz_cache=".cache/drizzle-toolchain"
  dz_hash="$(sha256sum "$dz_lock" | cut -c1-16)"
  if [ "$(cat "$dz_cache/.lockhash" 2>/dev/null)" != "$dz_hash" ] \
      || [ ! -e "$dz_cache/node_modules/.bin/drizzle-kit" ]; then
    echo "setup: installing the Drizzle toolchain (npm ci)"
    mkdir -p "$dz_cache"
    cp tests/drizzle/toolchain/package.json "$dz_lock" "$dz_cache/"
    (cd "$dz_cache" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$dz_hash" > "$dz_cache/.lockhash"
  fi
fi
# --- end of the Drizzle toolchain block ---------------------------------------------------

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

# Bytecode for the project's modules, written once here: where PYTHONDONTWRITEBYTECODE is
# set (as on these machines and in the Dockerfile) every manage.py command, worker and test
# process would otherwise compile each module it imports (~0.3 s of CPU per command).
compiled=(modeler manage.py); [ "$MODE" = "--test" ] && compiled+=(tests bench)
.venv/bin/python -m compileall -q -j 0 "${compiled[@]}" >/dev/null \
  || echo "setup: compiling the project's bytecode failed (it will be compiled in memory)" >&2
