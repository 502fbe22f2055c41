"""Graph algorithms over the FK graph of a design: cycles and parents-before-children order.

Pure: shared by the rules, the differ and the code generators (none of which it imports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from modeler.schema.model import Domain, Relationship, Table


def cyclic_components(edges: Mapping[str, Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    """Strongly connected components that contain a cycle (Tarjan's algorithm, iterative).

    Components come out sorted (each one sorted, then the list) so results are deterministic.
    """
    graph = {k: sorted(set(v)) for k, v in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[tuple[str, ...]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = graph.get(node, [])
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp: list[str] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in graph.get(node, ()):
                    result.append(tuple(sorted(comp)))
    return tuple(sorted(result))


def tables_in_fk_order(tables: Iterable[Table],
                       relationships: Iterable[Relationship]) -> list[Table]:
    """Parents before children (Kahn's algorithm, ties by name); a cycle is broken at its
    first table by name, which is fine because FKs are added after all tables exist."""
    by_uid = {t.uid: t for t in tables}
    deps: dict[str, set[str]] = {uid: set() for uid in by_uid}
    for r in relationships:
        if r.child_table in by_uid and r.parent_table in by_uid and r.child_table != r.parent_table:
            deps[r.child_table].add(r.parent_table)

    def key(uid: str) -> tuple[str, str, str]:
        t = by_uid[uid]
        return (t.namespace, t.name, t.uid)

    out: list[Table] = []
    pending = set(by_uid)
    while pending:
        ready = sorted((u for u in pending if not deps[u] & pending), key=key)
        if not ready:  # a cycle: take the first table by name
            ready = [min(pending, key=key)]
        for uid in ready:
            out.append(by_uid[uid])
            pending.discard(uid)
    return out


def domains_in_base_order(domains: Iterable[Domain]) -> list[Domain]:
    """The domains in their given order, but each one after the domain it is based on (a
    domain over a domain: PostgreSQL refuses ``CREATE DOMAIN nested AS base`` before
    ``base``). Reversed, an order to drop them in."""
    given = list(domains)
    by_uid = {d.uid: d for d in given}
    placed: set[str] = set()
    out: list[Domain] = []
    for first in given:
        chain: list[Domain] = []
        current: Domain | None = first
        while current is not None and current.uid not in placed and current not in chain:
            chain.append(current)
            base = current.base
            current = by_uid.get(base.ref or "") if base.kind == "domain" else None
        for d in reversed(chain):
            placed.add(d.uid)
            out.append(d)
    return out
