"""The undo button names a renamed element by its new name too.

Found walking the editor as a stranger: after renaming the table customer to client, the
panel said "client" and the undo button "Undo: changed table customer" (the edit's summary,
made from the name before the edit), as if another table had been changed. A rename now says
"renamed table customer to client" (the activity log and an undo's refusal the same); an
edit that keeps the name still says "changed table client"."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.web.test_undo import (  # noqa: F401  (fixtures)
    HX,
    add_column,
    add_table,
    alice,
    post,
    project,
    schema_of,
    table_form,
    uid_of,
)


def _undo_title(client: Client) -> str:
    page = client.get(reverse("editor", args=["shop"]), **HX).content.decode()
    found = re.search(r'id="undo-button"[^>]*title="([^"]*)"', page)
    assert found is not None
    return found.group(1)


def test_a_rename_is_named_with_both_names(alice: Client, project: Any) -> None:  # noqa: F811
    add_table(alice, "customer")
    uid = uid_of(project, "customer")
    post(alice, "table_update", table_form(project, uid, name="client"), uid)
    assert _undo_title(alice) == "Undo: renamed table customer to client (Ctrl+Z)"
    post(alice, "table_update", table_form(project, uid, comment="People who buy from us"), uid)
    assert _undo_title(alice) == "Undo: changed table client (Ctrl+Z)"
    add_column(alice, uid, "email", "varchar", length=320)
    col = next(c for c in schema_of(project).table(uid).columns if c.name == "email")
    prefix = f"c{col.uid[:8]}"
    panel = alice.get(reverse("table_panel", args=["shop", uid]), {"column": col.uid},
                      **HX).content.decode()
    version = re.search(rf'name="{prefix}-version" value="(\d+)"', panel)
    assert version is not None
    post(alice, "column_update", {
        f"{prefix}-name": "mail", f"{prefix}-type": "varchar", f"{prefix}-length": "320",
        f"{prefix}-searchable": "none", f"{prefix}-comment": "The mail",
        f"{prefix}-version": version.group(1)}, col.uid)
    assert _undo_title(alice) == "Undo: renamed column client.email to client.mail (Ctrl+Z)"
