"""Reading back what DBML cannot say (written by :mod:`modeler.codegen.dbml`).

The Project's note starts with :data:`~modeler.codegen.dbml.KEPT_MARKER`; every line after it
is one JSON object ``{section: {key: data}}``. :func:`apply_kept` lays that data over the
design the DBML gave, element by element, for elements that still exist by name (a table
deleted in the text takes its kept data with it). A column's kept exact type applies only
while the DBML type text is still the one it was written as (``as``), so an edit wins.
Kept data that cannot be read is reported as a warning and ignored, never an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from itertools import accumulate
from typing import Any

from modeler.importers.result import ImportResult, ImportWarning
from modeler.schema import model as m
from modeler.schema.builder import stable_uid
from modeler.schema.serialize import SchemaFormatError, decode

KEPT_PREFIX = "modeler:kept v1"
KEPT_DEPTH = 100
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# (schema, table, column) -> (the DBML type text, the backtick default or None)
Written = dict[tuple[str, str, str], tuple[str, str | None]]


def kept_text(note: str) -> str | None:
    """The kept data of a Project note, or None when the note holds none."""
    stripped = note.strip()
    return stripped if stripped.startswith(KEPT_PREFIX) else None


def nesting(line: str) -> int:
    """How deep the arrays and objects of JSON text ``line`` nest (outside its strings)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", line))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def loads(line: str) -> Any:
    """``json.loads(line)`` nested at most :data:`KEPT_DEPTH` deep (the design's kept data
    nests 4; json's decoder recurses, and so do the readers of what it returns): deeper
    is a ``json.JSONDecodeError``."""
    if nesting(line) > KEPT_DEPTH:
        raise json.JSONDecodeError(f"nested more than {KEPT_DEPTH} deep", line, 0)
    return json.loads(line)


def parse_kept(text: str) -> tuple[dict[str, Any], list[str]]:
    """The kept sections and the problems met (a line that is not JSON is skipped)."""
    kept: dict[str, Any] = {}
    problems = []
    for n, line in enumerate(text.split("\n")[1:], 2):
        line = line.strip()
        if not line:
            continue
        try:
            data = loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"kept data line {n} is not JSON ({exc.msg}); ignored")
            continue
        if not isinstance(data, dict):
            problems.append(f"kept data line {n} is not an object; ignored")
            continue
        for section, value in data.items():
            if isinstance(value, dict) and isinstance(kept.get(section), dict):
                kept[section].update(value)
            else:
                kept[section] = value
    return kept, problems


def _split(key: str) -> tuple[str, str]:
    ns, _, name = key.partition(".")
    return (ns, name) if name else ("public", ns)


class _Apply:
    def __init__(self, schema: m.Schema, written: Written,
                 named: frozenset[tuple[str, str, str]] = frozenset()) -> None:
        self.s = schema
        self.written = written
        self.named = named
        self.problems: list[str] = []
        self.pk_convention = False

    def type_of(self, data: dict[str, Any], domains: dict[str, m.Domain]) -> m.ColumnType:
        data = dict(data)
        if data.get("kind") in ("enum", "domain"):
            ns, name = _split(str(data.get("ref", "")))
            if data["kind"] == "enum":
                found = next((e for e in self.s.enums if (e.namespace, e.name) == (ns, name)),
                             None)
                if found is None:
                    raise KeyError(f"enum {ns}.{name}")
                data["ref"] = found.uid
            else:
                dom = domains.get(f"{ns}.{name}")
                if dom is None:
                    raise KeyError(f"domain {ns}.{name}")
                data["ref"] = dom.uid
        result: m.ColumnType = decode(m.ColumnType, data)
        return result

    def run(self, kept: dict[str, Any]) -> m.Schema:
        s = self.s
        changes: dict[str, Any] = {}
        if isinstance(kept.get("project"), dict) and kept["project"].get("unnamed"):
            changes["name"] = ""
        if isinstance(kept.get("settings"), dict):
            changes["settings"] = decode(m.Settings, kept["settings"])
        domains: dict[str, m.Domain] = {d.qualified_name: d for d in s.domains}
        for key, data in dict(kept.get("domains", {})).items():
            ns, name = _split(key) if "." in key else ("public", key)
            try:
                base = self.type_of(data.get("base", {}), domains)
                dom = decode(m.Domain, {**data, "base": {"name": "text"},
                                        "uid": stable_uid("domain", ns, name)})
                domains[f"{ns}.{name}"] = replace(dom, base=base)
            except (KeyError, SchemaFormatError, TypeError) as exc:
                self.problems.append(f"kept domain {key}: {exc}; ignored")
        by_q = {(d.namespace, d.name): d for d in domains.values()}
        changes["domains"] = tuple(by_q.values())
        domains = {f"{d.namespace}.{d.name}": d for d in by_q.values()}
        self.s = s = replace(s, **changes)
        exts = {e.name: e for e in s.extensions}
        for name, data in dict(kept.get("extensions", {})).items():
            exts[name] = m.Extension(stable_uid("extension", name), name,
                                     data.get("namespace"))
        colls = {c.qualified_name: c for c in s.collations}
        for key, data in dict(kept.get("collations", {})).items():
            try:
                c = decode(m.Collation, {**data, "uid": "x"})
                colls[c.qualified_name] = replace(
                    c, uid=stable_uid("collation", c.namespace, c.name))
            except SchemaFormatError as exc:
                self.problems.append(f"kept collation {key}: {exc}; ignored")
        raws = list(s.raw_objects)
        for key, data in sorted(dict(kept.get("raw_objects", {})).items()):
            try:
                raw = decode(m.RawObject, {**data, "uid": "x"})
                raws.append(replace(raw, uid=stable_uid("raw", raw.kind, raw.namespace,
                                                        raw.name, key)))
            except SchemaFormatError as exc:
                self.problems.append(f"kept SQL {key}: {exc}; ignored")
        self.s = s = replace(s, extensions=tuple(exts.values()), collations=tuple(
            colls.values()), raw_objects=tuple(raws))
        project = kept.get("project")
        self.pk_convention = isinstance(project, dict) and \
            project.get("pk_names") == "convention"
        tables = [self.table(t, kept.get("tables", {}).get(f"{t.namespace}.{t.name}"),
                             domains) for t in s.tables]
        self.s = s = replace(s, tables=tuple(tables))
        tables = [self.partition(t, kept.get("tables", {}).get(f"{t.namespace}.{t.name}"))
                  for t in s.tables]
        self.s = s = replace(s, tables=tuple(tables))
        rels = []
        for r in s.relationships:
            child = s.table(r.child_table)
            key = f"{child.namespace}.{child.name}.{r.name}"
            data = kept.get("relationships", {}).get(key)
            if isinstance(data, dict):
                fields = {k: v for k, v in data.items() if k in (
                    "cardinality", "deferrable", "initially_deferred", "comment", "optional")}
                r = replace(r, **fields, match=self.match(key, data))
            rels.append(r)
        rels += self.missing_references(kept, rels)
        enums = []
        for e in s.enums:
            data = kept.get("enums", {}).get(e.qualified_name)
            if isinstance(data, dict) and "comment" in data:
                e = replace(e, comment=str(data["comment"]))
            enums.append(e)
        seqs = {q.qualified_name: q for q in s.sequences}
        for key, data in dict(kept.get("sequences", {})).items():
            try:
                data = dict(data)
                owner_t = data.pop("owned_by_table", None)
                owner_c = data.pop("owned_by_column", None)
                seq = decode(m.Sequence, {**data, "uid": "x"})
                seq = replace(seq, uid=stable_uid("sequence", seq.namespace, seq.name))
                if owner_t and owner_c:
                    t = s.table_named(_split(owner_t)[1], _split(owner_t)[0])
                    c = t.column_named(owner_c) if t is not None else None
                    if t is not None and c is not None:
                        seq = replace(seq, owned_by_table=t.uid, owned_by_column=c.uid)
                seqs[seq.qualified_name] = seq
            except SchemaFormatError as exc:
                self.problems.append(f"kept sequence {key}: {exc}; ignored")
        return m.normalized(replace(s, relationships=tuple(rels), enums=tuple(enums),
                                    sequences=tuple(seqs.values())))

    def match(self, key: str, data: dict[str, Any]) -> m.FkMatch:
        """A kept reference's MATCH (DBML cannot say it); SIMPLE when absent or odd."""
        value = data.get("match", "SIMPLE")
        if value == "FULL":
            return "FULL"
        if value != "SIMPLE":
            self.problems.append(f"kept reference {key}: match {value!r} is not SIMPLE or "
                                 "FULL; MATCH SIMPLE used")
        return "SIMPLE"

    def missing_references(self, kept: dict[str, Any], rels: list[m.Relationship]
                           ) -> list[m.Relationship]:
        """References to a kept unique constraint the importer left out (it could not see
        the key), when both tables and every column still exist."""
        have = {(self.s.table(r.child_table).namespace, self.s.table(r.child_table).name,
                 r.name) for r in rels}
        out = []
        for key, data in dict(kept.get("relationships", {})).items():
            if not isinstance(data, dict) or "parent" not in data:
                continue
            ns, _, rest = key.partition(".")
            tname, _, name = rest.partition(".")
            if (ns, tname, name) in have:
                continue
            pns, pname = _split(str(data["parent"]))
            child, parent = self.s.table_named(tname, ns), self.s.table_named(pname, pns)
            try:
                ccols, pcols = data["columns"]
                on_delete, on_update, cardinality, optional = data["on"]
                if child is None or parent is None:
                    continue
                cc = [child.column_named(c) for c in ccols]
                pc = [parent.column_named(c) for c in pcols]
                if any(c is None for c in cc + pc) or len(cc) != len(pc):
                    continue
                out.append(m.Relationship(
                    stable_uid("relationship", ns, tname, name), name, child.uid,
                    tuple(c.uid for c in cc if c is not None), parent.uid,
                    tuple(c.uid for c in pc if c is not None), cardinality, bool(optional),
                    on_delete, on_update, bool(data.get("deferrable")),
                    bool(data.get("initially_deferred")), str(data.get("comment", "")),
                    self.match(key, data)))
            except (KeyError, TypeError, ValueError) as exc:
                self.problems.append(f"kept reference {key}: {exc}; ignored")
        return out

    def table(self, t: m.Table, data: Any, domains: dict[str, m.Domain]) -> m.Table:
        if not isinstance(data, dict):
            data = {}
        uid_of = {c.name: c.uid for c in t.columns}
        fields: dict[str, Any] = {}
        for f in ("kind", "delete_strategy", "partition_by", "partition_bound",
                  "expected_rows", "color"):
            if f in data:
                fields[f] = data[f]
        if isinstance(data.get("comment"), str) and _same_note(t.comment, data["comment"]):
            fields["comment"] = data["comment"]
        if "pk_name" in data:
            fields["pk_name"] = data["pk_name"]
        elif self.pk_convention and t.primary_key:
            fields["pk_name"] = None
        if isinstance(data.get("position"), list) and len(data["position"]) == 2:
            fields["position"] = m.Position(float(data["position"][0]),
                                            float(data["position"][1]))
        cols = []
        for c in t.columns:
            extra = data.get("columns", {}).get(c.name)
            if isinstance(extra, dict):
                c = self.column(t, c, extra, domains)
            cols.append(c)
        fields["columns"] = tuple(cols)
        try:
            t = replace(t, **fields)
        except (TypeError, ValueError) as exc:
            self.problems.append(f"kept data of table {t.name}: {exc}; ignored")
            return t

        def uids(names: list[str]) -> tuple[str, ...] | None:
            found = tuple(uid_of.get(n, "") for n in names)
            return None if "" in found else found

        uniques = list(t.uniques)
        for name, u in dict(data.get("uniques", {})).items():
            cols_ = uids(u.get("columns", []))
            if cols_ is None:
                continue
            if u.get("native") and not any(x.columns == cols_ for x in uniques):
                continue  # written as `unique` on its column, which the text no longer says
            uniques = [x for x in uniques if x.columns != cols_ and x.name != name]
            uniques.append(m.UniqueConstraint(
                stable_uid("unique", t.namespace, t.name, name), name, cols_,
                bool(u.get("nulls_not_distinct")), bool(u.get("deferrable")),
                bool(u.get("initially_deferred")), str(u.get("comment", ""))))
        patterns = list(t.query_patterns)
        for name, q in dict(data.get("query_patterns", {})).items():
            eq = uids(q.get("equality", []))
            rng = uids([q["range"]]) if q.get("range") else ()
            order = uids([o[0] for o in q.get("order_by", [])])
            if eq is None or rng is None or order is None:
                continue
            patterns.append(m.QueryPattern(
                stable_uid("pattern", t.namespace, t.name, name), name, eq,
                rng[0] if rng else None,
                tuple(m.OrderKey(u, bool(o[1])) for u, o in zip(order, q.get("order_by", []),
                                                                 strict=True)),
                bool(q.get("hot"))))
        checks = list(t.checks)
        for name, ck in dict(data.get("checks", {})).items():
            if ck.get("native") and (any(x.name == name for x in checks) or (
                    t.namespace, t.name, name) not in self.named):
                continue  # read from the text, or no longer in it
            checks = [x for x in checks if x.name != name]
            checks.append(m.CheckConstraint(stable_uid("check", t.namespace, t.name, name),
                                            name, str(ck.get("expression", "true")),
                                            str(ck.get("comment", ""))))
        comments = dict(data.get("check_comments", {}))
        checks = [replace(x, comment=str(comments[x.name])) if x.name in comments else x
                  for x in checks]
        indexes = []
        kept_ix = dict(data.get("indexes", {}))
        for ix in t.indexes:
            extra = kept_ix.pop(ix.name, None)
            if isinstance(extra, dict) and extra.get("native"):
                # written in the text too: the kept copy (method, predicate...) applies
                # while the text's expressions are still the kept ones
                whole = extra.get("whole", {})
                said = [p.get("expression") for p in whole.get("parts", [])]
                if said == [p.expression for p in ix.parts]:
                    ix = self.index(ix, whole, uid_of) or ix
            elif isinstance(extra, dict):
                ix = self.index(ix, extra, uid_of) or ix
            indexes.append(ix)
        for name, extra in kept_ix.items():
            if isinstance(extra, dict) and extra.get("native") and (
                    t.namespace, t.name, name) not in self.named:
                continue  # no longer in the text
            if isinstance(extra, dict) and "whole" in extra:
                base = m.Index(stable_uid("index", t.namespace, t.name, name), name,
                               (m.IndexPart(expression="1"),))
                made = self.index(base, extra["whole"], uid_of)
                if made is not None:
                    indexes.append(made)
        return replace(t, uniques=tuple(uniques), query_patterns=tuple(patterns),
                       checks=tuple(checks), indexes=tuple(indexes))

    def partition(self, t: m.Table, data: Any) -> m.Table:
        if not isinstance(data, dict) or not data.get("partition_of"):
            return t
        ns, name = _split(str(data["partition_of"]))
        parent = self.s.table_named(name, ns)
        return replace(t, partition_of=parent.uid) if parent is not None else t

    def index(self, ix: m.Index, extra: dict[str, Any], uid_of: dict[str, str]
              ) -> m.Index | None:
        try:
            fields: dict[str, Any] = {}
            if "parts" in extra:
                parts = []
                for p in extra["parts"]:
                    p = dict(p)
                    if "column" in p:
                        p["column"] = uid_of[p["column"]]
                    parts.append(decode(m.IndexPart, p))
                fields["parts"] = tuple(parts)
            if "include" in extra:
                fields["include"] = tuple(uid_of[c] for c in extra["include"])
            for f in ("where", "nulls_not_distinct", "unique", "method", "comment"):
                if f in extra:
                    fields[f] = extra[f]
            return replace(ix, **fields)
        except (KeyError, SchemaFormatError, TypeError, ValueError) as exc:
            self.problems.append(f"kept data of index {ix.name}: {exc}; ignored")
            return None

    def column(self, t: m.Table, c: m.Column, extra: dict[str, Any],
               domains: dict[str, m.Domain]) -> m.Column:
        fields: dict[str, Any] = {}
        written = self.written.get((t.namespace, t.name, c.name))
        if "type" in extra and (written is None or written[0] == extra.get("as")):
            try:
                fields["type"] = self.type_of(extra["type"], domains)
            except (KeyError, SchemaFormatError) as exc:
                self.problems.append(f"kept type of {t.name}.{c.name}: {exc}; ignored")
        if isinstance(extra.get("comment"), str) and _same_note(c.comment, extra["comment"]):
            fields["comment"] = extra["comment"]
        if "default" in extra and (written is None or written[1] == extra.get("default_as")):
            fields["default"] = extra["default"]
        for f in ("identity", "nullable", "generated", "null_meaning", "collation",
                  "backfill", "searchable", "frequently_queried", "compression"):
            if f in extra:
                fields[f] = extra[f]
        if isinstance(extra.get("denormalized"), dict):
            fields["denormalized"] = decode(m.Denormalization, extra["denormalized"])
        if isinstance(extra.get("identity_options"), dict) \
                and fields.get("identity", c.identity) is not None:
            # the sequence options of an identity the text still has ("increment")
            try:
                fields["identity_options"] = decode(m.IdentityOptions, extra["identity_options"])
            except SchemaFormatError as exc:
                self.problems.append(f"kept identity options of {t.name}.{c.name}: {exc}; "
                                     "ignored")
        if fields.get("generated"):
            fields["default"] = None
        return replace(c, **fields)


def _same_note(read: str, kept: str) -> bool:
    """Whether a note read from the text is the kept one as the reader trims it (so the
    text did not change it)."""
    from modeler.importers.dbml.values import normalize_note

    return read == normalize_note(kept)


def apply_kept(result: ImportResult, text: str,
               written: Written, file: str = "",
               named: frozenset[tuple[str, str, str]] = frozenset()) -> ImportResult:
    """``result`` with the kept data of ``text`` laid over its design; ``written`` maps
    (schema, table, column) to the DBML type text and backtick default it has; ``named``
    holds (schema, table, name) of the checks and indexes the text names (kept copies of
    the ones the importer left out are added back while the text still names them)."""
    kept, problems = parse_kept(text)
    applier = _Apply(result.schema, written, named)
    try:
        schema = applier.run(kept)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        problems.append(f"the kept data could not be read ({type(exc).__name__}: {exc}); "
                        "ignored")
        schema = result.schema
    problems += applier.problems
    warnings = result.warnings + tuple(ImportWarning(file, None, "approximation", p)
                                       for p in problems)
    counts = {**result.counts, "warnings": len(warnings)}
    return ImportResult(schema=schema, warnings=warnings, counts=counts)


__all__ = ["KEPT_DEPTH", "KEPT_PREFIX", "apply_kept", "kept_text", "loads", "nesting",
           "parse_kept"]
