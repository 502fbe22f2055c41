"""Issue 17: work done beside the caller, in a forked child where that is safe, else on a
thread.

A child forked here shares the caller's memory (nothing is pickled or imported again) and
runs its work on the other CPU; its bytes come back through a pipe, and it leaves with
:func:`os._exit` (none of the parent's clean-up, buffers or exit handlers run twice). A
fork is safe only on a POSIX system in a process with no other thread (a fork copies no
other thread, and a lock one of them held would stay locked in the child).

Used by ``import_schema`` (its drawing, made while the design is saved) and by
:mod:`modeler.codegen.prefork` (the export's helper and its child). This module imports
the standard library only: ``manage.py`` imports it before Django starts.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable


def fork_safe() -> bool:
    """Whether this process may fork: a POSIX system, and this thread alone."""
    return hasattr(os, "fork") and threading.active_count() == 1


def flush_std() -> None:
    """Flush stdout and stderr before a fork (None when the process runs with one closed)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()


def ready(fd: int, seconds: float, *, writing: bool = False) -> bool:
    """Whether ``fd`` can be read (or, ``writing``, written) within ``seconds``; an end of
    file counts as readable. poll, not select: select refuses descriptors past 1,023."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT if writing else select.POLLIN)
    return bool(poller.poll(max(seconds, 0.0) * 1000))


def write_within(fd: int, data: bytes, deadline: float) -> None:
    """All of ``data`` to the pipe ``fd`` (made non-blocking) before ``deadline`` (a
    :func:`time.monotonic` time), TimeoutError past it: a reader that reads nothing cannot
    hold a writer of more than the pipe's buffer longer. ``fd`` stays open."""
    os.set_blocking(fd, False)
    view = memoryview(data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0 or not ready(fd, left, writing=True):
            raise TimeoutError("the reader took nothing by the deadline")
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            continue


def read_within(fd: int, deadline: float | None) -> bytes:
    """All of the pipe ``fd`` (closed after); TimeoutError past ``deadline`` (a
    :func:`time.monotonic` time; None: no limit)."""
    chunks: list[bytes] = []
    try:
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and (left <= 0 or not ready(fd, left)):
                raise TimeoutError("no answer by the deadline")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


class Child:
    """``work()``'s bytes, made by a child process forked by :meth:`start` while the caller
    goes on (:meth:`result`); :meth:`stop` ends it when they are not wanted."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self._fd: int | None = fd  # the pipe's read end, until the result is read
        self._reaped = False
        self._value: bytes | None = None

    @classmethod
    def start(cls, work: Callable[[], bytes]) -> Child | None:
        """Fork a child running ``work``; None where a fork is not safe (:func:`fork_safe`).
        OSError when the system refuses the pipe or the fork (a limit on processes, no
        memory), nothing left open. The child leaves with exit code 0 once it has written
        ``work()``'s bytes, 1 when anything failed (``work`` raised)."""
        if not fork_safe():
            return None
        read_end, write_end = os.pipe()
        flush_std()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the child: work, write, leave without running the parent's clean-up
            code = 1
            try:
                # the collector leaves the parent's objects alone here: scanning them
                # would copy every page the child shares with the parent
                gc.freeze()
                os.close(read_end)
                data = work()
                with os.fdopen(write_end, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        return cls(pid, read_end)

    def result(self, deadline: float | None = None) -> bytes | None:
        """The child's bytes, the child reaped; None when it failed (``work`` raised, it
        was killed) or gave no answer by ``deadline`` (a :func:`time.monotonic` time; None:
        no limit): it is then killed. The same answer when asked again."""
        fd, self._fd = self._fd, None
        if fd is None:
            return self._value
        data: bytes | None
        try:
            data = read_within(fd, deadline)
        except OSError:  # TimeoutError included: no answer in time
            data = None
            self._kill()
        if self._reap() != 0:
            data = None
        self._value = data
        return data

    def stop(self) -> None:
        """End the child if it still runs and reap it (its result, if not read, is lost)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
        if not self._reaped:
            self._kill()
            self._reap()

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def _reap(self) -> int | None:
        """Wait for the child; its exit code (None when it was reaped already)."""
        self._reaped = True
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)


class OnThread:
    """``work()``'s bytes, made on a thread of this process (started at once): where a
    fork is not safe or refused. Same :meth:`result` as :class:`Child`'s."""

    def __init__(self, work: Callable[[], bytes], name: str) -> None:
        self._work = work
        self._value: bytes | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except Exception:  # the caller makes it again, and reports the error
            self._value = None

    def result(self, deadline: float | None = None) -> bytes | None:
        """``work()``'s bytes, None when it raised. A thread cannot be stopped: it is
        waited for to the end whatever ``deadline`` says (``work`` bounds its own time)."""
        self.thread.join()
        return self._value


def aside(work: Callable[[], bytes], *, name: str, fork: bool = True) -> Child | OnThread:
    """``work()`` beside the caller: in a forked child (:class:`Child`) with ``fork`` where
    that is safe and the system allows it, else on a thread named ``name``
    (:class:`OnThread`)."""
    if fork:
        try:
            child = Child.start(work)
        except OSError:  # refused: on a thread instead
            child = None
        if child is not None:
            return child
    return OnThread(work, name)
