"""Issue #17: text answers go gzip-compressed to a browser that takes gzip (the editor's
HTML, its edit answers, SVG); binary ones (PNG) and browsers that do not ask go as they are."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web.compress import compressible
from tests.web.test_editor import (  # noqa: F401  # fixtures
    HX,
    add_table,
    col_data,
    editor,
    project,
    table_uid,
)

pytestmark = pytest.mark.django_db
GZ = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_edit_answer_is_compressed_when_asked(editor: Client, project: Any) -> None:  # noqa: F811
    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    plain = editor.post(reverse("column_add", args=["shop", uid]),
                        col_data("email", comment="Where we write to"), **HX)
    assert plain.status_code == 200 and not plain.has_header("Content-Encoding")
    packed = editor.post(reverse("column_add", args=["shop", uid]),
                         col_data("phone", comment="Where we call"), **HX, **GZ)
    assert packed.status_code == 200 and packed["Content-Encoding"] == "gzip"
    body = gzip.decompress(packed.content).decode()
    assert ">phone<" in body and 'hx-swap-oob="innerHTML"' in body
    assert len(packed.content) * 3 < len(body)
    assert "schema-saved" in packed["HX-Trigger"]  # headers untouched
    assert "Accept-Encoding" in packed["Vary"]


def test_png_is_not_compressed_again(editor: Client, project: Any) -> None:  # noqa: F811
    add_table(editor, "customer")
    r = editor.get(reverse("diagram_download", args=["shop", "png"]), **GZ)
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    assert not r.has_header("Content-Encoding")


@pytest.mark.parametrize("content_type, expected", [
    ("text/html; charset=utf-8", True), ("image/svg+xml", True), ("application/json", True),
    ("TEXT/PLAIN", True), ("image/png", False), ("application/pdf", False),
    ("application/zip", False), ("", False)])
def test_compressible(content_type: str, expected: bool) -> None:
    assert compressible(content_type) is expected
