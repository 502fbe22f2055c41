"""Process set-up for serving: warm the imports, then keep the garbage collector off them;
pinned drawings from a warm Graphviz."""

from __future__ import annotations

import gc


def settle() -> None:
    """Import every view (the URLconf) and move everything alive now (Django, the
    modules, their constants: some 150,000 objects) out of the collector's reach
    (:func:`gc.freeze`). Without it every full collection walks them all again: about
    70 ms, once every dozen editor requests. Objects made later are collected as usual.
    Pinned drawings (every diagram view and edit) are drawn by a warm Graphviz
    (:mod:`modeler.diagram.warm`: without the 10 ms start of a program run)."""
    from django.urls import get_resolver

    from modeler.diagram import warm
    from modeler.web.lazyviews import load_all

    warm.enable()  # the child starts at the first drawing (in each forked worker)

    get_resolver().url_patterns  # noqa: B018 - loads the URLconf
    load_all()  # imports every view module (the URLconf names them lazily)
    gc.collect()
    gc.freeze()
