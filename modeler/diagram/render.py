"""Run Graphviz: one subprocess per render, with a timeout and a caller-supplied cache.

The only module of the package that starts processes. Output is cached under the SHA-256
of (program, flags, format, DOT source); SVG is sanitised before it is cached. Node sizes
(:func:`modeler.diagram.layout.measure`) are cached per node through the same protocol; a
cache that also has ``get_many``/``set_many`` (:class:`BatchCache`) saves one round trip
per node there.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from modeler.diagram.engine import EngineSettings
from modeler.diagram.svg import sanitize_graphviz_svg
from modeler.diagram.warm import WarmTimeout
from modeler.diagram.warm import run as run_warm

Format = Literal["svg", "png", "pdf", "dot", "json0"]
FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot")  # what users may ask for
DEFAULT_TIMEOUT = 30.0
CACHE_PREFIX = "diagram:v2:"


class RenderError(RuntimeError):
    """Graphviz failed (missing binary, bad input, non-zero exit)."""


class RenderTimeout(RenderError):
    """Graphviz did not finish within the timeout; the process was killed."""


class DiagramCache(Protocol):
    """What the renderer needs from a cache (Django's cache fits through a thin adapter)."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


@runtime_checkable
class BatchCache(DiagramCache, Protocol):
    """A :class:`DiagramCache` that also reads and writes many keys at once (Django's
    ``cache.get_many``/``set_many``: one round trip to Redis instead of one per key)."""

    def get_many(self, keys: Iterable[str]) -> Mapping[str, bytes]: ...

    def set_many(self, items: Mapping[str, bytes]) -> None: ...


class MemoryCache:
    """A dict-backed :class:`BatchCache`, for tests, benchmarks and scripts."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.data[key] = value

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {k: self.data[k] for k in keys if k in self.data}

    def set_many(self, items: Mapping[str, bytes]) -> None:
        self.data.update(items)


def cache_get_many(cache: DiagramCache, keys: list[str]) -> dict[str, bytes]:
    """The cached values of ``keys`` (missing ones left out), in one call when it can."""
    if isinstance(cache, BatchCache):
        return {k: v for k, v in cache.get_many(keys).items() if isinstance(v, bytes)}
    found = {k: cache.get(k) for k in keys}
    return {k: v for k, v in found.items() if v is not None}


def cache_set_many(cache: DiagramCache, items: Mapping[str, bytes]) -> None:
    """Store ``items``, in one call when it can."""
    if not items:
        return
    if isinstance(cache, BatchCache):
        cache.set_many(items)
    else:
        for key, value in items.items():
            cache.set(key, value)


@dataclass(frozen=True, slots=True)
class DotJob:
    """DOT source plus the program that must draw it (pinned sources need ``neato -n2``)."""

    source: str
    settings: EngineSettings

    def key(self, fmt: str) -> str:
        """Cache key of this job's output in ``fmt``."""
        digest = hashlib.sha256()
        for part in (*self.settings.command, fmt, self.source):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return CACHE_PREFIX + digest.hexdigest()


def run_graphviz(command: tuple[str, ...], source: str, fmt: str, *,
                 timeout: float = DEFAULT_TIMEOUT, bindir: str | None = None) -> bytes:
    """Run ``command -T<fmt>`` on ``source`` and return its stdout.

    ``bindir`` overrides where the Graphviz programs are looked up (tests use it to plug in
    a fake slow engine). A pinned render is drawn by the warm Graphviz where one runs
    (:mod:`modeler.diagram.warm`: the same bytes, without the program's start-up).
    Raises :class:`RenderTimeout` or :class:`RenderError`.
    """
    data = source.encode("utf-8", "replace")
    if bindir is None:
        try:
            warm = run_warm(command, data, fmt, timeout)
        except WarmTimeout as exc:
            raise RenderTimeout(f"{command[0]} took longer than {timeout:g} s") from exc
        if warm is not None:
            return warm
    program = os.path.join(bindir, command[0]) if bindir else command[0]
    argv = [program, *command[1:], f"-T{fmt}"]
    try:
        proc = subprocess.run(argv, input=data,
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderTimeout(f"{command[0]} took longer than {timeout:g} s") from exc
    except OSError as exc:
        raise RenderError(f"cannot run {command[0]}: {exc}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"{command[0]} exited with {proc.returncode}: "
                          + (" | ".join(detail[:3]) or "no message"))
    return proc.stdout


def render_with_layout(job: DotJob, *, cache: DiagramCache | None = None,
                       timeout: float = DEFAULT_TIMEOUT, bindir: str | None = None,
                       ) -> tuple[bytes, bytes]:
    """One Graphviz run writing ``job``'s layout data (``json0``: the node sizes) and its
    sanitised SVG, which is :func:`render_job`'s (and cached under its key)."""
    out = run_graphviz((*job.settings.command, "-Tjson0"), job.source, "svg",
                       timeout=timeout, bindir=bindir)
    text = out.decode("utf-8", "surrogateescape")
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except ValueError as exc:
        raise RenderError(f"{job.settings.command[0]} wrote no layout data") from exc
    layout = text[:end].encode("utf-8", "surrogateescape")
    svg = sanitize_graphviz_svg(out[len(layout):].lstrip())
    if cache is not None:
        cache.set(job.key("svg"), svg)
    return layout, svg


def render_job(job: DotJob, fmt: str = "svg", *, cache: DiagramCache | None = None,
           timeout: float = DEFAULT_TIMEOUT, bindir: str | None = None) -> bytes:
    """The diagram in ``fmt``: ``svg`` (sanitised), ``png``, ``pdf``, ``json0`` (layout
    data), or ``dot`` (the source itself; its first line names the program to use)."""
    if fmt not in (*FORMATS, "json0"):
        raise ValueError(f"unknown format {fmt!r}")
    if fmt == "dot":
        return job.source.encode("utf-8", "replace")
    key = job.key(fmt)
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    out = run_graphviz(job.settings.command, job.source, fmt, timeout=timeout, bindir=bindir)
    if fmt == "svg":
        out = sanitize_graphviz_svg(out)
    if cache is not None:
        cache.set(key, out)
    return out
