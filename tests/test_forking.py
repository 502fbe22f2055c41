"""modeler.forking: work beside the caller, in a forked child where that is safe (the
export's helper and its child, import_schema's drawing), else on a thread. Each case runs
in a process of its own: pytest's may have threads, where nothing forks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# script code: whether this process has no child left (none running, none unreaped)
NO_CHILD_LEFT = r"""
import os

def no_child_left():
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
"""
PRELUDE = NO_CHILD_LEFT + r"""
import errno, threading, time
from modeler import forking

me = os.getpid()

def open_fds():
    return sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else []
"""


def _run(script: str) -> str:
    done = subprocess.run([sys.executable, "-c", PRELUDE + script], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout.strip()


def test_the_childs_bytes_come_back() -> None:
    assert _run(r"""
fds = open_fds()
child = forking.Child.start(lambda: f"{os.getpid()} ".encode() + b"x" * 3_000_000)
assert child is not None and child.pid != me
got = child.result()
pid, rest = got.split(b" ", 1)
assert int(pid) == child.pid and rest == b"x" * 3_000_000  # more than a pipe holds
assert child.result() == got  # asked again: the same answer
assert no_child_left() and open_fds() == fds
job = forking.aside(lambda: str(os.getpid()).encode(), name="t")
assert isinstance(job, forking.Child) and job.result() == str(job.pid).encode()
print("ok")
""") == "ok"


def test_a_child_that_raises_gives_none() -> None:
    assert _run(r"""
def fails():
    raise ValueError("boom")

child = forking.Child.start(fails)
assert child is not None
assert child.result() is None  # the caller makes it itself, and reports the error
assert no_child_left()
thread = forking.aside(fails, name="t", fork=False)
assert isinstance(thread, forking.OnThread) and thread.result() is None
print("ok")
""") == "ok"


def test_a_child_past_its_deadline_is_killed() -> None:
    assert _run(r"""
child = forking.Child.start(lambda: time.sleep(60) or b"late")
began = time.monotonic()
assert child.result(time.monotonic() + 0.5) is None
assert time.monotonic() - began < 10
assert no_child_left()
# a child never asked for its bytes is stopped and reaped
child = forking.Child.start(lambda: time.sleep(60) or b"late")
child.stop()
assert no_child_left()
print("ok")
""") == "ok"


def test_a_refused_fork_falls_back_to_a_thread() -> None:
    assert _run(r"""
fds = open_fds()
def refused():
    raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
os.fork = refused
try:
    forking.Child.start(lambda: b"")
    raise AssertionError("a refused fork is the caller's error")
except BlockingIOError:
    pass
assert open_fds() == fds  # the pipe closed
job = forking.aside(lambda: str(os.getpid()).encode(), name="t")
assert isinstance(job, forking.OnThread) and job.result() == str(me).encode()
print("ok")
""") == "ok"


def test_another_thread_means_no_fork() -> None:
    assert _run(r"""
stop = threading.Event()
threading.Thread(target=stop.wait).start()
assert not forking.fork_safe()
assert forking.Child.start(lambda: b"") is None
job = forking.aside(lambda: str(os.getpid()).encode(), name="t")
assert isinstance(job, forking.OnThread) and job.result() == str(me).encode()
stop.set()
print("ok")
""") == "ok"


def test_descriptors_past_1023_are_waited_on() -> None:
    """A process with many files open (a long-lived one): the child's answer comes back
    through a pipe numbered past 1,023, where select() refused it (ValueError), and the
    export helper's request goes out through one."""
    assert _run(r"""
import resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), max(hard, 4096)))
read, write = os.pipe()
high_read, high_write = os.dup2(read, 2000), os.dup2(write, 2001)
os.close(read), os.close(write)
os.write(high_write, b"answer")
os.close(high_write)
assert forking.read_within(high_read, time.monotonic() + 5) == b"answer"
from modeler.codegen import prefork
read, write = os.pipe()
high_read, high_write = os.dup2(read, 2002), os.dup2(write, 2003)
os.close(read), os.close(write)
prefork._write_within(high_write, b"request", time.monotonic() + 5)
assert os.read(high_read, 100) == b"request"
print("ok")
""") == "ok"
