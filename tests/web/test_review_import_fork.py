"""import_schema's drawing in a forked child (e4f7c5b): a fork the system refuses (EAGAIN:
a limit on processes; ENOMEM without overcommit) is not a failed import. It raised out of
the import's transaction (nothing imported, a traceback); the drawing is made on a thread
instead. The refusal is the system's, made to happen by replacing os.fork in the process:
a real one cannot be provoked reliably (root is exempt from RLIMIT_NPROC)."""

from __future__ import annotations

from pathlib import Path

from tests.web.manage_process import manage, ready

REFUSED = ("def fork():\n"
           "    raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))\n"
           "os.fork = fork\n")


def test_a_refused_fork_draws_on_a_thread(tmp_path: Path) -> None:
    schema = ready(tmp_path)
    out = tmp_path / "d.svg"
    done = manage(tmp_path, "import_schema", "--project", "lib", "--format", "sql", str(schema),
                  "--diagram", str(out), "-v", "2", before=REFUSED)  # exit code 0
    assert "imported " in done.stdout
    assert "the diagram was drawn while the design was saved" in done.stdout  # the thread's
    assert out.read_bytes().startswith(b"<svg")
