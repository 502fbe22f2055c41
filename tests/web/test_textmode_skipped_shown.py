"""A text whose change drops something shows the import notes open.

Found in the text mode as a stranger: "Table" mistyped "Tabel" previewed as "drop table
author" (destructive), the reason (line N: DBML element 'Tabel' is not known; skipped) folded
away in a closed "2 import notes"; one click on Apply dropped the table. With a destructive
change the notes are open, beside the change they explain."""

from __future__ import annotations

from typing import Any

from django.test import Client

from modeler.codegen.dbml import to_dbml
from tests.web.test_textmode import (  # noqa: F401  (fixtures)
    BOOKSTORE,
    apply,
    owner,
    preview,
    project,
    state,
)


def test_notes_are_open_beside_a_destructive_change(owner: Client, project: Any) -> None:  # noqa: F811
    apply(owner, project, BOOKSTORE)
    text = to_dbml(state(project)[0])
    body = preview(owner, text.replace("Table author {", "Tabel author {")).content.decode()
    assert "drop table author" in body and "&#x27;Tabel&#x27; is not known" in body
    assert '<details class="warnings" open>' in body
    # notes of a change that drops nothing stay folded
    body = preview(owner, text + "\nTabel extra {\n  id int [pk]\n}\n").content.decode()
    assert "&#x27;Tabel&#x27; is not known" in body and "destructive" not in body
    assert '<details class="warnings">' in body
