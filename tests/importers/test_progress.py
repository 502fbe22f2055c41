"""Progress callbacks of the importers: stages in order, a measure that only grows and ends
full, the same result with and without a callback, and a callback that raises stops the
import (how a cancelled job stops)."""

from __future__ import annotations

import psycopg
import pytest

from modeler.importers import import_dbml, import_live, import_sql

SQL_A = "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY, a_id int);\n"
SQL_B = ("ALTER TABLE b ADD FOREIGN KEY (a_id) REFERENCES a;\n"
         "CREATE INDEX b_a ON b (a_id);\nINSERT INTO a VALUES (1);\n")
DBML = """Enum mood { sad happy }
Table a {
  id int [pk]
  m mood
}
Table b {
  id int [pk]
  a_id int [ref: > a.id]
}
Ref: b.id - a.id
"""


class Recorder:
    def __init__(self, stop_at: str | None = None) -> None:
        self.calls: list[tuple[str, int, int, str]] = []
        self.stop_at = stop_at

    def __call__(self, stage: str, done: int, total: int, unit: str = "") -> None:
        self.calls.append((stage, done, total, unit))
        if self.stop_at and self.stop_at in stage:
            raise Stop(stage)

    def stages(self) -> list[str]:
        out: list[str] = []
        for stage, *_ in self.calls:
            if not out or out[-1] != stage:
                out.append(stage)
        return out

    def check_measure(self) -> None:
        """Within one total, ``done`` never goes back and never passes the total."""
        last: dict[int, int] = {}
        for _, done, total, _ in self.calls:
            assert 0 <= done <= total or total == 0
            assert done >= last.get(total, 0)
            last[total] = done


class Stop(Exception):
    pass


def test_sql_progress_by_file_and_characters() -> None:
    files = [("a.sql", SQL_A), ("b.sql", SQL_B)]
    rec = Recorder()
    result = import_sql(files, progress=rec)
    assert rec.stages() == ["parsing file 1 of 2: a.sql", "parsing file 2 of 2: b.sql",
                            "building the design"]
    rec.check_measure()
    total = len(SQL_A) + len(SQL_B)
    assert {t for _, _, t, _ in rec.calls} == {total}
    assert rec.calls[-1][1] == total
    # the second file starts where the first one ends
    first_b = next(c for c in rec.calls if "b.sql" in c[0])
    assert first_b[1] == len(SQL_A)
    assert result == import_sql(files)  # the callback changes nothing
    one = Recorder()
    import_sql([("only.sql", SQL_A)], progress=one)
    assert one.stages()[0] == "parsing only.sql"


def test_sql_progress_can_stop_the_import() -> None:
    with pytest.raises(Stop):
        import_sql([("a.sql", SQL_A), ("b.sql", SQL_B)], progress=Recorder(stop_at="b.sql"))


def test_dbml_progress_parse_convert_build() -> None:
    rec = Recorder()
    result = import_dbml([("s.dbml", DBML)], progress=rec)
    assert rec.stages() == ["parsing s.dbml", "converting enums", "converting tables",
                            "converting references", "building the design"]
    rec.check_measure()
    (total,) = {t for _, _, t, _ in rec.calls}
    # parsing, converting and building are a third each
    assert rec.calls[0][1] == 0
    assert [c[1] for c in rec.calls if c[0] == "converting references"][-1] == 2 * total // 3
    assert rec.calls[-1][1] == 2 * total // 3
    assert result == import_dbml([("s.dbml", DBML)])
    with pytest.raises(Stop):
        import_dbml([("s.dbml", DBML)], progress=Recorder(stop_at="references"))


@pytest.mark.postgres
def test_live_progress_queries_then_statements(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SQL_A + "ALTER TABLE b ADD FOREIGN KEY (a_id) REFERENCES a;")
    rec = Recorder()
    result = import_live(pg_url, progress=rec)
    assert {t.name for t in result.schema.tables} == {"a", "b"}
    assert rec.stages() == ["connecting to the database", "reading the catalog",
                            "importing 2 tables", "building the design"]
    rec.check_measure()
    reads = [c for c in rec.calls if c[0] == "reading the catalog"]
    queries = len(reads)  # one report before each query, over a total known in advance
    assert [c[1:] for c in reads] == [(i, queries, "queries") for i in range(queries)]
    statements = [c for c in rec.calls if c[0] == "importing 2 tables"]
    assert statements[0][1] == 0 and all(c[3] == "statements" for c in statements)
    assert rec.calls[-1][1] == rec.calls[-1][2] == statements[0][2]
    some = Recorder()
    import_live(pg_url, schemas=["public"], tables=["a"], progress=some)
    reads = [c for c in some.calls if c[0] == "reading the catalog"]
    assert [c[1:] for c in reads] == [(i, len(reads), "queries") for i in range(len(reads))]
    assert len(reads) == queries - 9  # no schema list, no views, functions, aggregates,
    # operators, casts, event triggers, publications, text search and foreign objects (a
    # whole import's)
    with pytest.raises(Stop):
        import_live(pg_url, progress=Recorder(stop_at="importing"))
