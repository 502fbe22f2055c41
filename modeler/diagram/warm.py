"""A warm Graphviz for long-lived processes (the web workers): pinned drawings rendered by
a child process that keeps libgvc loaded (:mod:`modeler.diagram.gvchild`).

Every run of ``neato`` spends about 10 ms starting (plugins, fonts) before it draws; an
editor's edit draws one small patch, so that start was most of its Graphviz time and sat
on the edit's critical path. :func:`run` hands a pinned render (``neato -n2``: the
drawing of stored positions, every patch and every diagram view) to the child instead,
and returns None whenever it cannot serve it so that the caller runs the program as
before: another format or engine, the child busy with another thread's render, not
started, crashed, or refusing the input (the program then gives the user the same error
message as ever). A child that does not answer within the caller's timeout is killed and
the render counts as timed out, as the program's would.

Off unless :func:`enable` was called (``modeler.runtime.settle``: gunicorn, ASGI) and
``GRAPHVIZ_WARM`` is not ``0``; commands and tests run the programs. The child is started
on first use in each process (a forked worker never shares its parent's) and started
again after :data:`RENDERS_PER_CHILD` renders, which bounds what libgvc may leak. After
:data:`GIVE_UP_AFTER` children in a row died without answering (no libgvc here,
``sys.executable`` not a Python, or drawings that crash libgvc), the process runs the
programs for :data:`REST_SECONDS`, then tries a child again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from modeler.forking import ready, write_within

log = logging.getLogger(__name__)
CHILD = Path(__file__).with_name("gvchild.py")
# The programs' flags this child reproduces, and the layout engine it uses for them.
ENGINES: dict[tuple[str, ...], str] = {("neato", "-n2"): "nop2"}
FORMATS = frozenset({"svg", "json0"})
RENDERS_PER_CHILD = 2000
GIVE_UP_AFTER = 3  # children in a row that died before answering: the programs for a while
REST_SECONDS = 60.0

_enabled = False
_lock = threading.Lock()
_child: subprocess.Popen[bytes] | None = None
_owner = 0  # the pid that started _child
_renders = 0
_broken = 0  # children in a row that died without answering
_resting_until = 0.0  # time.monotonic() before which the programs draw


class WarmTimeout(Exception):
    """The child did not answer in time (it was killed)."""


def enable(on: bool = True) -> None:
    """Serve pinned renders from a warm child in this process (``GRAPHVIZ_WARM=0``
    keeps the programs)."""
    global _enabled, _broken, _resting_until
    _enabled = on and os.environ.get("GRAPHVIZ_WARM", "1") != "0"
    _broken, _resting_until = 0, 0.0


def enabled() -> bool:
    return _enabled and time.monotonic() >= _resting_until


def plan(command: Sequence[str], fmt: str) -> tuple[str, list[str]] | None:
    """The child's engine and formats for ``command -T<fmt>`` (``command`` may carry more
    ``-T`` formats before ``fmt``, written in order), or None when it is not served."""
    flags = [c for c in command[1:] if not c.startswith("-T")]
    engine = ENGINES.get((command[0], *flags)) if command else None
    formats = [c[2:] for c in command[1:] if c.startswith("-T")] + [fmt]
    if engine is None or not set(formats) <= FORMATS:
        return None
    return engine, formats


def run(command: Sequence[str], source: bytes, fmt: str, timeout: float) -> bytes | None:
    """The program's stdout for ``command -T<fmt>`` on ``source``, from the warm child; None
    when not served (see the module docstring). Raises :class:`WarmTimeout`."""
    if not enabled():
        return None
    planned = plan(command, fmt)
    if planned is None or not _lock.acquire(blocking=False):
        return None
    try:
        return _ask(*planned, source, timeout)
    finally:
        _lock.release()


def child_pid() -> int | None:
    """The running child's pid, if this process started one."""
    child = _child
    return child.pid if child is not None and _owner == os.getpid() else None


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """Hold the child as a render does (for tests: other threads get None meanwhile)."""
    with _lock:
        yield


def _started() -> subprocess.Popen[bytes] | None:
    global _child, _owner, _renders
    if _child is not None and (_owner != os.getpid() or _child.poll() is not None
                               or _renders >= RENDERS_PER_CHILD):
        stop()
    if _child is None:
        try:
            _child = subprocess.Popen([sys.executable, "-I", "-S", str(CHILD)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, close_fds=True)
        except OSError:
            return None
        _owner, _renders = os.getpid(), 0
    return _child


def stop() -> None:
    """Forget the child; kill it first when it is this process's (the next render
    starts another)."""
    global _child
    child, _child = _child, None
    if child is not None and _owner == os.getpid():
        for close in (child.stdin, child.stdout):
            if close is not None:
                close.close()
        child.kill()
        child.wait()


def _ask(engine: str, formats: list[str], source: bytes, timeout: float) -> bytes | None:
    global _renders, _broken, _resting_until
    child = _started()
    if child is None or child.stdin is None or child.stdout is None:
        return None
    request = b"".join(struct.pack(">I", len(p)) + p
                       for p in (engine.encode(), ",".join(formats).encode(), source))
    deadline = time.monotonic() + timeout
    try:
        write_within(child.stdin.fileno(), request, deadline)
        reader = _Reader(child.stdout.fileno(), deadline)
        status = reader.take(1)
        if status != b"\x00":
            reader.take(struct.unpack(">I", reader.take(4))[0])
            _renders += 1
            return None
        parts = [reader.take(struct.unpack(">I", reader.take(4))[0]) for _ in formats]
    except (WarmTimeout, TimeoutError) as exc:
        stop()
        raise WarmTimeout from exc
    except (OSError, EOFError, struct.error):
        stop()
        _broken += 1
        if _broken >= GIVE_UP_AFTER:  # no libgvc, no Python, or crashing drawings: rest
            _broken, _resting_until = 0, time.monotonic() + REST_SECONDS
            log.warning("the warm Graphviz failed %d times in a row: this process runs the "
                        "Graphviz programs for %g s", GIVE_UP_AFTER, REST_SECONDS)
        return None
    _renders += 1
    _broken = 0
    return b"".join(parts)


class _Reader:
    """Exact reads from a pipe, each before the deadline."""

    def __init__(self, fd: int, deadline: float) -> None:
        self.fd, self.deadline = fd, deadline

    def take(self, n: int) -> bytes:
        chunks: list[bytes] = []
        while n > 0:
            left = self.deadline - time.monotonic()
            if left <= 0 or not ready(self.fd, left):
                raise WarmTimeout
            chunk = os.read(self.fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError("the warm Graphviz exited")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)
