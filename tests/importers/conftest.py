"""Shared helpers for importer tests: the corpus (read in place, never copied) and loading
corpus scripts into a test database with psql."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.pgtemp import PgServer

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

MUSICBRAINZ_ORDER = (
    "Extensions", "CreateCollations", "CreateTypes", "CreateTables", "CreatePrimaryKeys",
    "CreateSearchConfiguration", "CreateFunctions", "CreateIndexes", "CreateFKConstraints",
    "CreateConstraints", "CreateViews", "CreateTriggers", "CreateSearchIndexes",
)
MUSICBRAINZ_PRELUDE = "CREATE SCHEMA musicbrainz;\nSET search_path = musicbrainz, public;\n"


def corpus_path(relative: str) -> Path:
    """A corpus file, or skip the test when the shared corpus is not on this machine."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"corpus file {relative} not found under {CORPUS} (the shared corpus is "
                    "not available on this machine)")
    return path


def corpus_text(relative: str) -> str:
    return corpus_path(relative).read_text(encoding="utf-8")


def corpus_files(*relative: str) -> list[tuple[str, str]]:
    return [(r, corpus_text(r)) for r in relative]


def musicbrainz_files() -> list[tuple[str, str]]:
    """The musicbrainz scripts in InitDb.pl order, after the schema/search_path prelude."""
    files = [(f"musicbrainz/{n}.sql", corpus_text(f"musicbrainz/{n}.sql"))
             for n in MUSICBRAINZ_ORDER]
    return [("prelude.sql", MUSICBRAINZ_PRELUDE), *files]


def psql_load(server: PgServer, url: str, text: str) -> list[str]:
    """Run a script with psql (errors do not stop it); returns the ERROR lines."""
    done = subprocess.run([server.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=0", url],
                          input=text, capture_output=True, text=True, timeout=300)
    return [line for line in done.stderr.splitlines() if "ERROR" in line]
