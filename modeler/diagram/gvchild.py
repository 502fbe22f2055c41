"""A warm Graphviz: renders pinned drawings with libgvc, in a process of its own.

Run as a script (``python -I -S gvchild.py``) by :mod:`modeler.diagram.warm`, never
imported by the app: it needs nothing but the standard library and Debian's libgvc /
libcgraph. The Graphviz programs spend about 10 ms of every run starting up (loading their
plugins and fonts); this process pays that once, then draws a small patch in well under a
millisecond. A crash or a hang here costs the caller one fallback to the programs (the
caller kills this process on a deadline), never the web worker.

Protocol on stdin/stdout, every length a 4-byte big-endian unsigned integer:

* request: length + engine (ASCII, e.g. ``nop2``), length + formats (ASCII, comma
  separated, e.g. ``json0,svg``), length + the DOT source;
* answer: one status byte; ``0``: for each format, length + its output; ``1``: length +
  a reason (the caller then runs the program, which gives the user's error message).

The process exits at end of input.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys
from typing import BinaryIO

ENGINES = frozenset({"nop2"})
FORMATS = frozenset({"svg", "json0", "json", "dot", "xdot"})


def _library(name: str, version: int) -> ctypes.CDLL:
    """Debian's soname first (no ldconfig run), else wherever the system finds it."""
    try:
        return ctypes.CDLL(f"lib{name}.so.{version}")
    except OSError:
        return ctypes.CDLL(ctypes.util.find_library(name) or f"lib{name}.so")


class Graphviz:
    """libgvc's context, made once: its plugins are loaded at the first layout."""

    def __init__(self) -> None:
        gvc, cgraph = _library("gvc", 6), _library("cgraph", 6)
        void_p, char_p = ctypes.c_void_p, ctypes.c_char_p
        gvc.gvContext.restype = void_p
        gvc.gvContext.argtypes = []
        gvc.gvLayout.restype = ctypes.c_int
        gvc.gvLayout.argtypes = [void_p, void_p, char_p]
        gvc.gvRenderData.restype = ctypes.c_int
        gvc.gvRenderData.argtypes = [void_p, void_p, char_p, ctypes.POINTER(void_p),
                                     ctypes.POINTER(ctypes.c_uint)]
        gvc.gvFreeRenderData.restype = None
        gvc.gvFreeRenderData.argtypes = [void_p]
        gvc.gvFreeLayout.restype = ctypes.c_int
        gvc.gvFreeLayout.argtypes = [void_p, void_p]
        cgraph.agmemread.restype = void_p
        cgraph.agmemread.argtypes = [char_p]
        cgraph.agclose.restype = ctypes.c_int
        cgraph.agclose.argtypes = [void_p]
        for walk in (cgraph.agfstsubg, cgraph.agnxtsubg):
            walk.restype = void_p
            walk.argtypes = [void_p]
        cgraph.agerrors.restype = ctypes.c_int
        cgraph.agerrors.argtypes = []
        cgraph.agreseterrors.restype = ctypes.c_int
        cgraph.agreseterrors.argtypes = []
        self.gvc, self.cgraph = gvc, cgraph
        self.context = gvc.gvContext()
        if not self.context:
            raise OSError("gvContext failed")

    def render(self, engine: str, formats: list[str], source: bytes) -> list[bytes]:
        self.cgraph.agreseterrors()
        out = self._render(engine, formats, source)
        # An error reported while drawing (a node without a position under -n2, a bad
        # HTML-like label) makes the program exit 1 although it drew: refused here, so the
        # caller runs the program and the user gets its error as before.
        if self.cgraph.agerrors():
            raise ValueError("Graphviz reported an error")
        return out

    def _followed(self) -> bool:
        """Whether graphs followed the one just read: libcgraph keeps the rest of the text
        for its next read (the next request's), so it is read (and dropped) here."""
        more = False
        while graph := self.cgraph.agmemread(b""):
            self.cgraph.agclose(graph)
            more = True
        return more

    def _one_order(self, graph: int) -> bool:
        """Whether no graph in ``graph`` holds two subgraphs or more. libcgraph (2.43) keeps
        subgraphs in the order of their interned names' addresses: a fresh program's
        allocations give one order, this long-lived heap another from render to render
        (clusters swapped in the output), so such a graph is left to the program."""
        sub = self.cgraph.agfstsubg(graph)
        while sub:
            if self.cgraph.agnxtsubg(sub):
                return False
            sub = self.cgraph.agfstsubg(sub)
        return True

    def _render(self, engine: str, formats: list[str], source: bytes) -> list[bytes]:
        graph = self.cgraph.agmemread(source)
        followed = self._followed()
        if not graph:
            raise ValueError("the source did not parse")
        if followed or self.cgraph.agerrors():  # the program draws them all, or fails
            self.cgraph.agclose(graph)
            raise ValueError("more than one graph, or text after the graph")
        if not self._one_order(graph):
            self.cgraph.agclose(graph)
            raise ValueError("subgraphs side by side")
        try:
            if self.gvc.gvLayout(self.context, graph, engine.encode()) != 0:
                raise ValueError("layout failed")
            try:
                out = []
                for fmt in formats:
                    data = ctypes.c_void_p()
                    size = ctypes.c_uint()
                    if self.gvc.gvRenderData(self.context, graph, fmt.encode(),
                                             ctypes.byref(data), ctypes.byref(size)) != 0:
                        raise ValueError(f"rendering {fmt} failed")
                    try:
                        out.append(ctypes.string_at(data, size.value) if data else b"")
                    finally:
                        self.gvc.gvFreeRenderData(data)
                return out
            finally:
                self.gvc.gvFreeLayout(self.context, graph)
        finally:
            self.cgraph.agclose(graph)


def _read(stream: BinaryIO, n: int) -> bytes | None:
    data = stream.read(n)
    if not data:
        return None
    if len(data) != n:
        raise EOFError("short read")
    return data


def _field(stream: BinaryIO) -> bytes | None:
    head = _read(stream, 4)
    if head is None:
        return None
    (n,) = struct.unpack(">I", head)
    return _read(stream, n) if n else b""


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    graphviz = Graphviz()
    while True:
        engine = _field(inp)
        if engine is None:
            return
        formats, source = _field(inp), _field(inp)
        if formats is None or source is None:
            return
        try:
            names = formats.decode("ascii").split(",")
            if engine.decode("ascii") not in ENGINES or not set(names) <= FORMATS:
                raise ValueError("not served here")
            parts = graphviz.render(engine.decode("ascii"), names, source)
        except (ValueError, UnicodeDecodeError) as exc:
            reason = str(exc).encode("utf-8", "replace")
            out.write(b"\x01" + struct.pack(">I", len(reason)) + reason)
        else:
            out.write(b"\x00" + b"".join(struct.pack(">I", len(p)) + p for p in parts))
        out.flush()


if __name__ == "__main__":
    # The answers go out on a copy of stdout; fd 1 and fd 2 (Graphviz's warnings, anything a
    # plugin might print) go nowhere, so nothing but an answer reaches the caller's pipe.
    answers = os.fdopen(os.dup(1), "wb")
    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, 1)
    os.dup2(nowhere, 2)
    serve(sys.stdin.buffer, answers)
