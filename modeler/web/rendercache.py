"""The diagram cache of commands (``render_diagram``): Django's cache, and, when that dies
with the process (the default local-memory cache), a few whole renders kept on disk.

A render is cached under the hash of its Graphviz program, flags, format and DOT source
(:meth:`modeler.diagram.render.DotJob.key`), so a render of an unchanged, laid-out design
reads its previous output (sanitised already) instead of running Graphviz again: the
drawing is the same bytes. Only whole outputs and whole-view size lists go to disk
(``get``/``set``, one file each, at most :data:`MAX_FILES`, the oldest dropped); per-node
sizes (``get_many``/``set_many``) stay in Django's cache. With Redis (``CACHE_URL``) the
cache outlives the process already and no file is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from modeler.diagram.layout import render_diagram
from modeler.diagram.options import ViewOptions
from modeler.schema.model import Schema

PREFIX = "diagram:"  # as modeler.web.diagrams.DjangoCache: one cache for the web and commands
TIMEOUT = 24 * 3600
MAX_FILES = 32


class CommandCache:
    """A :class:`~modeler.diagram.render.BatchCache` for commands (see the module)."""

    def __init__(self, directory: Path | None = None) -> None:
        if directory is None and "locmem" in str(settings.CACHES["default"]["BACKEND"]):
            directory = Path(settings.DATA_DIR) / "diagram-cache"
        self.directory = directory

    def _file(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / hashlib.sha256(key.encode()).hexdigest()

    def get(self, key: str) -> bytes | None:
        value = cache.get(PREFIX + key)
        if isinstance(value, bytes):
            return value
        if self.directory is None:
            return None
        try:
            return self._file(key).read_bytes()
        except OSError:
            return None

    def set(self, key: str, value: bytes) -> None:
        cache.set(PREFIX + key, value, timeout=TIMEOUT)
        if self.directory is not None:
            # a cache: a read-only or full disk only costs the next render
            with contextlib.suppress(OSError):
                self._write(key, value)

    def _write(self, key: str, value: bytes) -> None:
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(value)
        os.replace(tmp, self._file(key))
        entries = [p for p in self.directory.iterdir() if not p.name.startswith(".")]
        if len(entries) > MAX_FILES:
            entries.sort(key=lambda p: p.stat().st_mtime)
            for old in entries[:len(entries) - MAX_FILES]:
                old.unlink(missing_ok=True)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        found = cache.get_many([PREFIX + k for k in keys])
        n = len(PREFIX)
        return {k[n:]: v for k, v in found.items() if isinstance(v, bytes)}

    def set_many(self, items: Mapping[str, bytes]) -> None:
        cache.set_many({PREFIX + k: v for k, v in items.items()}, timeout=TIMEOUT)


def command_render(schema: Schema, options: ViewOptions, fmt: str) -> bytes:
    """What :func:`modeler.web.diagrams.export` draws, for a command: without importing the
    editor's side (the rules engine), Graphviz allowed ``GRAPHVIZ_TIMEOUT``, through a
    :class:`CommandCache` (a laid-out design's previous render is read back)."""
    return render_diagram(schema, options, fmt, cache=CommandCache(),
                          timeout=float(settings.GRAPHVIZ_TIMEOUT))
