"""The files commands write (``--out``, ``--diagram``, ``--markdown``): a path that cannot be
written is a clear error, said before the work (a missing directory, a directory given as
the file) or when the write fails (permissions, a full disk): never a traceback."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError


def writable(path: str | Path, option: str = "--out") -> Path:
    """``path`` as a :class:`Path`, CommandError when it cannot be a file written there."""
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise CommandError(f"{option} {out}: is a directory; give a file name")
    if not parent.is_dir():
        raise CommandError(f"{option} {out}: there is no directory {parent}")
    return out


def write_out(path: str | Path, body: bytes | str, option: str = "--out") -> None:
    """Write ``body`` (text as UTF-8) to ``path``; CommandError saying why it could not."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise CommandError(f"{option} {path}: cannot write it ({exc.strerror or exc})") \
            from exc
