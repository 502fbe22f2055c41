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
from typing import Any, BinaryIO

ENGINES = frozenset({"nop2"})
FORMATS = frozenset({"svg", "json0", "json", "dot", "xdot"})


def _library(name: str, version: int) -> ctypes.CDLL:
    """Debian's soname first (no ldconfig run), else wherever the system finds it."""
    try:
        return ctypes.CDLL(f"lib{name}.so.{version}")
    except OSError:
        return ctypes.CDLL(ctypes.util.find_library(name) or f"lib{name}.so")


IDTYPE = ctypes.c_uint64
_OPEN = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_MAP = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p,
                        ctypes.POINTER(IDTYPE), ctypes.c_int)
_ALLOC = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_void_p, ctypes.c_int, IDTYPE)
_FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, IDTYPE)
_PRINT = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, IDTYPE)
_CLOSE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_REGISTER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)


class _IdDisc(ctypes.Structure):
    """libcgraph's ``Agiddisc_t`` (2.42): how object names become ids."""

    _fields_ = [("open", _OPEN), ("map", _MAP), ("alloc", _ALLOC), ("free", _FREE),
                ("print", _PRINT), ("close", _CLOSE), ("idregister", _REGISTER)]


class _Disc(ctypes.Structure):
    """libcgraph's ``Agdisc_t``: memory, ids, input."""

    _fields_ = [("mem", ctypes.c_void_p), ("id", ctypes.POINTER(_IdDisc)),
                ("io", ctypes.c_void_p)]


class _Names:
    """Ids for the names of one graph, in the order the parser meets them.

    libcgraph's own discipline makes a name's id the address of its interned copy, and
    keeps subgraphs in id order: a fresh program's heap hands out rising addresses, so its
    clusters come in the order of the source, but this long-lived process's heap does not
    (its clusters came in a different order from render to render). Counting instead gives
    every render the program's order. Anonymous objects are numbered as the program does
    (odd, from 1); a name's id is even, as an address is, so the library tells them apart
    the same way."""

    def __init__(self) -> None:
        self.reset()
        self.disc = _IdDisc(_OPEN(lambda graph, disc: graph), _MAP(self._map),
                            _ALLOC(lambda state, kind, wanted: 0),
                            _FREE(lambda state, kind, id_: None), _PRINT(self._print),
                            _CLOSE(lambda state: None),
                            _REGISTER(lambda state, kind, obj: None))

    def reset(self) -> None:
        self.ids: dict[bytes, int] = {}
        self.names: dict[int, ctypes.Array[ctypes.c_char]] = {}
        self.anonymous = 1

    def _map(self, state: int, kind: int, name: bytes | None, out: Any, create: int) -> int:
        if name is None:
            out[0] = self.anonymous
            self.anonymous += 2
            return 1
        found = self.ids.get(name)
        if found is None:
            if not create:  # as the library's: no such name, id 0 (found nowhere)
                out[0] = 0
                return 1
            found = self.ids[name] = 2 * (len(self.ids) + 1)
            self.names[found] = ctypes.create_string_buffer(name)
        out[0] = found
        return 1

    def _print(self, state: int, kind: int, id_: int) -> int | None:
        name = self.names.get(id_) if id_ % 2 == 0 else None
        return ctypes.addressof(name) if name is not None else None


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
        cgraph.agread.restype = void_p
        cgraph.agread.argtypes = [void_p, void_p]
        libc = ctypes.CDLL(None)
        libc.fmemopen.restype = void_p
        libc.fmemopen.argtypes = [void_p, ctypes.c_size_t, char_p]
        libc.fclose.restype = ctypes.c_int
        libc.fclose.argtypes = [void_p]
        self.libc = libc
        self.names = _Names()
        self.disc = _Disc(ctypes.addressof(ctypes.c_char.in_dll(cgraph, "AgMemDisc")),
                          ctypes.pointer(self.names.disc),
                          ctypes.addressof(ctypes.c_char.in_dll(cgraph, "AgIoDisc")))
        cgraph.agclose.restype = ctypes.c_int
        cgraph.agclose.argtypes = [void_p]
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

    def _read(self, source: bytes) -> tuple[int | None, bool]:
        """The first graph of ``source`` (None: it did not parse), read with :class:`_Names`
        as the id discipline, and whether more followed it: libcgraph keeps the rest of the
        text for its next read (the next request's), so it is read (and dropped) here."""
        self.names.reset()
        text = ctypes.create_string_buffer(source, len(source))
        stream = self.libc.fmemopen(text, len(source), b"r") if source else None
        if not stream:
            return None, False
        try:
            graph = self.cgraph.agread(stream, ctypes.byref(self.disc))
            more = False
            while extra := self.cgraph.agread(stream, ctypes.byref(self.disc)):
                self.cgraph.agclose(extra)
                more = True
            return graph, more
        finally:
            self.libc.fclose(stream)

    def _render(self, engine: str, formats: list[str], source: bytes) -> list[bytes]:
        graph, followed = self._read(source)
        if not graph:
            raise ValueError("the source did not parse")
        if followed or self.cgraph.agerrors():  # the program draws them all, or fails
            self.cgraph.agclose(graph)
            raise ValueError("more than one graph, or text after the graph")
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
