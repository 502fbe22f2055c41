"""Issue 17: ``manage.py export_bundle`` has its files made by a helper process forked before
Django starts (modeler.codegen.prefork); the zip's bytes are those of the web download
(made in one process), for every target and version, with a drawing drawn or read back,
and when the helper fails. Whole processes on a fresh SQLite file, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from modeler.codegen import prefork
from modeler.codegen.bundle import Deflated
from tests.test_forking import NO_CHILD_LEFT

ROOT = Path(__file__).resolve().parents[2]
SQL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL,
                     born date CHECK (born > '1000-01-01'));
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id),
                   title text NOT NULL DEFAULT 'untitled');
CREATE INDEX book_author ON book (author_id);
CREATE INDEX book_title ON book (lower(title));
"""
# version 2: a comment and a column more (the revision of version 2 diffs the two)
SECOND = """
from dataclasses import replace
from django.contrib.auth import get_user_model
from modeler.web import models as db
from modeler.web.exporting import version_schema
from modeler.web.versions import version_save
v = db.Version.objects.get(project__slug="lib", number=1)
s = version_schema(v)
t = s.tables
s = replace(s, tables=(replace(t[0], comment="People who write \\u00e9 books"), *t[1:]))
version_save(project=v.project, actor=get_user_model().objects.get(is_superuser=True),
             message="Second: authors explained", schema=s)
"""
# the web download of each case, made in one process (no helper, no fork)
WEB = """
from modeler.web import exporting, models as db
from modeler.web.diagrams import static_svg
p = db.Project.objects.get(slug="lib")
for number, target, out in CASES:
    name, body = exporting.bundle(p, number, diagram_svg=static_svg, target=target)
    open(out, "wb").write(body)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-only",
           "DJANGO_SETTINGS_MODULE": "modeler.settings", "MODELER_ADMIN_PASSWORD": "pw-root-1!x",
           "LOG_LEVEL": "WARNING"}
    env.pop("CACHE_URL", None)
    return env


def _run(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def _manage(tmp_path: Path, *argv: str, before: str = "") -> subprocess.CompletedProcess[str]:
    """manage.py ``argv`` in a process of its own; ``before``: code run first (in the
    process that forks the helper: the helper runs it too)."""
    return _run(tmp_path, f"import os, runpy, sys\nsys.path.insert(0, {str(ROOT)!r})\n{before}\n"
                f"sys.argv = ['manage.py', *{list(argv)!r}]\n"
                f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")


# written by the helper when it makes the files (the command itself never calls make_files)
MARK = """
from modeler.codegen import prefork
_make = prefork.make_files
def make_files(*args, **kwargs):
    with open({mark!r}, "a") as f:
        f.write(f"{{os.getpid()}}\\n")
    return _make(*args, **kwargs)
prefork.make_files = make_files
"""
# a helper that fails: the command makes the files itself
FAIL = """
def answer_bytes(files):
    raise RuntimeError("the helper fails")
prefork.answer_bytes = answer_bytes
"""


def _zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_helpers_bundles_are_the_web_downloads(tmp_path: Path) -> None:
    _manage(tmp_path, "migrate", "-v", "0")
    _manage(tmp_path, "ensure_admin")
    (tmp_path / "s.sql").write_text(SQL)
    _manage(tmp_path, "import_schema", "--project", "lib", "--format", "sql",
            str(tmp_path / "s.sql"))
    _run(tmp_path, "import django\ndjango.setup()\n" + SECOND)
    cases = [(2, "sqlalchemy", "a.zip"), (2, "both", "b.zip"), (1, "sqlalchemy", "c.zip"),
             (2, "drizzle", "d.zip")]
    web = [(n, t, str(tmp_path / f"web-{o}")) for n, t, o in cases]
    _run(tmp_path, f"import django\ndjango.setup()\nCASES = {web!r}\n" + WEB)
    mark = tmp_path / "mark.txt"
    for number, target, out in cases:
        argv = ["export_bundle", "lib", "--version", str(number), "--target", target,
                "--out", str(tmp_path / out)]
        _manage(tmp_path, *argv, before=MARK.format(mark=str(mark)))
        assert (tmp_path / out).read_bytes() == (tmp_path / f"web-{out}").read_bytes(), out
    # the first export drew the diagram, the others read it back; the helper made the files
    # of every export but the Drizzle one (--target drizzle: no helper)
    made = mark.read_text().splitlines()
    assert len(made) == 3, made
    files = _zip(tmp_path / "a.zip")
    assert {"DESIGN.md", "schema.sql", "lib/models.py", "diagram.svg"} <= set(files)
    assert b"People who write \xc3\xa9 books" in files["schema.sql"]
    assert len([n for n in files if n.startswith("migrations/versions/")]) == 2

    # a helper that fails: the command makes the files itself, the same bytes
    mark.unlink()
    _manage(tmp_path, "export_bundle", "lib", "--out", str(tmp_path / "e.zip"),
            before=MARK.format(mark=str(mark)) + FAIL)
    assert mark.exists()  # the helper was asked
    assert (tmp_path / "e.zip").read_bytes() == (tmp_path / "web-a.zip").read_bytes()

    # no fork allowed (no process left for the user, say): no helper, no child for
    # schema.sql; the command makes everything itself, the same bytes, no traceback
    refused = ("import errno\n"
               "def refused():\n"
               "    raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))\n"
               "os.fork = refused\n")
    done = _manage(tmp_path, "export_bundle", "lib", "--out", str(tmp_path / "f.zip"),
                   before=refused)
    assert "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "f.zip").read_bytes() == (tmp_path / "web-a.zip").read_bytes()


LIFECYCLE = NO_CHILD_LEFT + r"""
import sys
from modeler.codegen import prefork

# a helper nobody asks (an error before the version is read, say) is ended and reaped
prefork.start()
helper = prefork.take()
assert helper is not None and prefork.take() is None
prefork.stop()
assert no_child_left()

# a request it cannot read: no files (the command makes them itself), the helper reaped
prefork._STARTED.clear()
prefork.start()
helper = prefork.take()
helper.ask(b"not a request")
assert helper.collect() == {}
prefork.stop()
assert no_child_left()
print("ok")
"""


def test_a_helper_never_outlives_the_command(tmp_path: Path) -> None:
    done = _run(tmp_path, LIFECYCLE)
    assert done.stdout.strip() == "ok"


@pytest.mark.parametrize(("argv", "wanted"), [
    (["manage.py", "export_bundle", "shop", "--out", "x.zip"], True),
    (["manage.py", "export_bundle", "shop", "--target", "both", "--out", "x.zip"], True),
    (["manage.py", "export_bundle", "shop", "--target", "drizzle", "--out", "x.zip"], False),
    (["manage.py", "export_bundle", "shop", "--target=drizzle", "--out", "x.zip"], False),
    (["manage.py", "export_bundle", "--help"], False),
    (["manage.py", "render_diagram", "shop"], False),
    (["manage.py"], False),
])
def test_which_commands_fork_the_helper(argv: list[str], wanted: bool) -> None:
    assert prefork.wanted(argv) is wanted


def test_requests_and_answers_come_apart_as_they_were() -> None:
    records = [prefork.VersionRecord(1, "First \u00e9\n\"quoted\"", "ann", "2026-01-02", True,
                                     ("Waiver IX-01 on t: why \udc80 (ann)",), '{"a": "\u00e9"}'),
               prefork.VersionRecord(2, "", "bob", "2026-01-03", False, (), "")]
    job = prefork.Job(slug="shop", title=None, target="both",
                      findings='[{"rule": "IX-01", "message": "caf\u00e9 \\udc80", "n": 1.5}]',
                      waivers=[])
    assert prefork.read_request(prefork.request_bytes(job, records)) == (job, records)
    files = {"DESIGN.md": Deflated.of("caf\u00e9\n".encode()), "a/b.py": Deflated.of(b""),
             "schema.sql": Deflated.of(b"x" * 100_000)}
    assert prefork.read_answer(prefork.answer_bytes(files)) == files


STUCK = r"""
import os, signal, sys, time
from modeler.codegen import prefork

prefork.HELPER_TIMEOUT = 1.0
prefork.start()
helper = prefork.take()
os.kill(helper.pid, signal.SIGSTOP)  # a helper that never reads nor answers
began = time.monotonic()
helper.ask(b"x" * (4 << 20))  # more than a pipe holds
assert helper.collect() == {}
assert time.monotonic() - began < 10
prefork.stop()
try:
    os.waitpid(-1, os.WNOHANG)
    raise AssertionError("a child was left")
except ChildProcessError:
    pass
print("ok")
"""


def test_a_stuck_helper_is_given_up_after_its_timeout(tmp_path: Path) -> None:
    assert _run(tmp_path, STUCK).stdout.strip() == "ok"


ORPHAN = r"""
import os, time
from modeler.codegen import prefork

prefork.start()
helper = prefork.take()
sleeper = os.fork()
if sleeper == 0:  # holds the request pipe open: the helper waits on it, as on a command
    null = os.open(os.devnull, os.O_WRONLY)  # that is still building its request
    os.dup2(null, 1)
    os.dup2(null, 2)
    time.sleep(20)
    os._exit(0)
print(helper.pid, sleeper, flush=True)
os._exit(0)  # the command killed: no prefork.stop()
"""


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_the_helper_dies_with_the_command(tmp_path: Path) -> None:
    import time

    # the helper holds the command's stdout as well: read the line, do not wait for the end
    proc = subprocess.Popen([sys.executable, "-c", ORPHAN], cwd=ROOT, env=_env(tmp_path),
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    pid, sleeper = map(int, proc.stdout.readline().split())
    proc.wait(timeout=60)
    try:
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        assert not _alive(pid), f"the helper {pid} outlived the command"
    finally:
        os.kill(sleeper, 9)
        proc.stdout.close()


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_the_helper_starts_with_a_closed_stream(tmp_path: Path, stream: str) -> None:
    """``export_bundle ... >&-`` / ``2>&-``: sys.stdout / sys.stderr are None; the helper
    started all the same (a flush of None crashed the command before Django started)."""
    script = (f"import sys\nsys.{stream} = None\nfrom modeler.codegen import prefork\n"
              "prefork.start()\nassert prefork.take() is not None\nprefork.stop()\n"
              "sys.__stdout__.write('ok')\n")
    assert _run(tmp_path, script).stdout == "ok"
