"""The diagram cache of commands (``render_diagram``): Django's cache, and, when that dies
with the process (the default local-memory cache), a few whole renders kept on disk; and the
editor's whole drawings, kept per design revision and view (the second part, issue #17).

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
import gzip
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache

from modeler.cache import files_stamp

if TYPE_CHECKING:  # a command's hit on a stored render imports no part of the drawing
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
    from modeler.diagram.layout import render_diagram

    return render_diagram(schema, options, fmt, cache=CommandCache(),
                          timeout=float(settings.GRAPHVIZ_TIMEOUT))


# ------------------------------------------------------- the editor's whole drawings (#17)
#
# The editor's drawing of a design at a revision, for a view, is the same bytes for every
# request that asks for it: it is drawn once (single-flight across the web processes, through
# the shared cache: Redis in production) and kept whole, compressed, with the partial around
# it (``<div class="svg-host">``), under a key naming the design, its revision and the view's
# options (badges from the findings included). A design's laid-out drawing of the default
# view is drawn by the task worker as soon as its layout is stored (:func:`precompute`), so
# the viewers of a large design read bytes; a request never waits for another's drawing
# longer than the budget of one drawing (then it draws itself).

DRAWING_PREFIX = "editor-drawing:"
TOKEN_ATTR = re.compile(r'<svg [^>]*data-token="([0-9a-f]{16})"')
DRAWING_TIMEOUT = 6 * 3600
POLL = 0.1


@dataclass(frozen=True)
class Drawn:
    """One answer of the editor's diagram: the partial's HTML, gzip-compressed, and its
    ETag (the drawing's key)."""

    gz: bytes
    etag: str

    def html(self) -> bytes:
        return gzip.decompress(self.gz)


def drawing_key(design_pk: int, revision: int, view: object, kind: str) -> str:
    """The key of a whole drawing: the design, the revision drawn, what decides the view
    (``view``'s repr: the user's view options and what sets the badges besides the
    revision), ``kind`` (laid out, or the provisional notice's wording) and the code that
    draws it (:func:`editor_code_stamp`: the store outlives a deployment)."""
    text = f"{editor_code_stamp()}\x00{design_pk}\x00{revision}\x00{kind}\x00{view!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_EDITOR_CODE: list[str] = []


def editor_code_stamp() -> str:
    """The code an editor drawing depends on, as files on disk (path, size, mtime; read
    once per process): what ``render_diagram``'s stored drawings name
    (:func:`~modeler.web.management.commands.render_diagram.code_stamp`), the editor's
    drawing (its badges: the rules) and its partial. A new version of any draws afresh
    instead of serving what the previous code drew (Redis keeps drawings for hours)."""
    if not _EDITOR_CODE:
        from modeler.web.management.commands.render_diagram import code_stamp

        package = Path(__file__).resolve().parents[1]  # modeler/
        rules = package / "rules"
        files = [*(package / "web" / name for name in (
                     "diagrams.py", "diagram_view.py", "diagram_token.py", "ruling.py",
                     "selectors.py")),
                 *sorted(rules.rglob("*.py")), *sorted((rules / "data").glob("*")),
                 package.parent / "templates" / "editor" / "editor.html"]
        _EDITOR_CODE.append(files_stamp(files, code_stamp()))
    return _EDITOR_CODE[0]


def stored(key: str) -> Drawn | None:
    value = cache.get(DRAWING_PREFIX + key)
    return Drawn(value, key) if isinstance(value, bytes) else None


def store(key: str, html: str) -> Drawn:
    """Keep ``html`` under ``key`` (and, for a whole drawing, its token: see
    :func:`token_of`)."""
    gz = gzip.compress(html.encode("utf-8"), compresslevel=1)
    items = {DRAWING_PREFIX + key: gz}
    head = html[:4000]
    found = TOKEN_ATTR.search(head)
    if found and "data-patch=" not in head:
        items[DRAWING_PREFIX + "token:" + key] = found.group(1).encode()
    cache.set_many(items, timeout=DRAWING_TIMEOUT)
    return Drawn(gz, key)


def token_of(key: str) -> str | None:
    """The token of the whole drawing kept under ``key`` (None: none kept)."""
    value = cache.get(DRAWING_PREFIX + "token:" + key)
    return value.decode() if isinstance(value, bytes) else None


def empty_patch(token: str) -> str:
    """A patch that changes nothing of the drawing ``token`` (the browser shows it)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" data-patch="{token}" '
            f'data-token="{token}" data-remove="" width="0" height="0">\n</svg>')


def failed(svg: str) -> bool:
    """Whether ``svg`` is the message of a failed render (not kept: drawn again)."""
    return 'id="error"' in svg[:2000]


def single_flight(key: str, draw: Callable[[], str | None], wait: float) -> Drawn | None:
    """The stored drawing under ``key``, else drawn by ``draw`` (its HTML, or None when it
    must not be kept: a failed render) by one request at a time: the others wait up to
    ``wait`` seconds for its bytes, then draw themselves. None: drawn but not kept (the
    caller draws again, as it would without this store)."""
    hit = stored(key)
    if hit is not None:
        return hit
    end = time.monotonic() + wait
    while not claim(key, wait):
        time.sleep(POLL)
        hit = stored(key)
        if hit is not None:
            return hit
        if time.monotonic() > end:
            break  # the drawer is stuck or gone: draw here
    try:
        html = draw()
        return store(key, html) if html is not None else None
    finally:
        release(key)


def claim(key: str, wait: float = 60.0) -> bool:
    """Take the right to draw ``key`` (False: someone draws it); it lapses after ``wait``
    seconds and half a minute, should its holder die. :func:`release` gives it back."""
    return bool(cache.add(DRAWING_PREFIX + "drawing:" + key, 1, timeout=int(wait) + 30))


def release(key: str) -> None:
    cache.delete(DRAWING_PREFIX + "drawing:" + key)
