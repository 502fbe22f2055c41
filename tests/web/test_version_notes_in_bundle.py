"""A version's rollout/rollback notes travel with it into the export bundle.

The notes (fc5bd6b) were kept and shown on the versions page only; whoever runs the
migration reads its revision file and DESIGN.md. They now head the revision's "Notes and
waivers" (the docstring, as Python: quotes and backslashes stay inert) and DESIGN.md's
section of the version (as text: a < is no HTML)."""

from __future__ import annotations

import ast
import io
import zipfile
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.web.test_versions import project  # noqa: F401  (fixture)

NOTES = 'Backup first: pg_dump -t "customer" <before>;\nrollback: """alembic downgrade -1""" \\'


def test_the_notes_are_in_the_revision_and_the_design_document(
        client: Client, user: Any, project: Any) -> None:  # noqa: F811
    client.force_login(user)
    saved = client.post(reverse("version_save", args=["shop"]),
                        {"message": "First cut of the shop", "notes": NOTES})
    assert saved.status_code == 302
    response = client.get(reverse("version_export", args=["shop", 1]))
    assert response.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)  # type: ignore[attr-defined]
                                        if response.streaming else response.content))
    revision = next(n for n in bundle.namelist() if n.startswith("migrations/versions/0001"))
    text = bundle.read(revision).decode()
    docstring = ast.get_docstring(ast.parse(text)) or ""  # valid Python, the text inert
    assert "Notes and waivers:" in docstring
    assert "Rollout/rollback: Backup first" in docstring
    flat = " ".join(docstring.split())  # the bullets are wrapped at 96 characters
    assert 'rollback: """alembic downgrade -1""" \\' in flat and flat.endswith("\\")
    design = bundle.read("DESIGN.md").decode()
    assert "Rollout/rollback: Backup first" in design
    assert "<before>" not in design and "&lt;before>" in design
