"""An index refused for its expression gives that reason only.

Found in the editor as a stranger: "random()" as an index expression was refused with two
reasons, "Name at least one column or an expression." (one was named) and the real one
(random() is not IMMUTABLE); the first sent the user looking for a missing field."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from tests.web.test_undo import (  # noqa: F401  (fixtures)
    HX,
    add_table,
    alice,
    project,
    schema_of,
    uid_of,
)


def test_a_refused_expression_is_the_only_reason(alice: Client, project: Any) -> None:  # noqa: F811
    add_table(alice, "customer")
    uid = uid_of(project, "customer")
    before = schema_of(project)
    response = alice.post(reverse("index_add", args=["shop", uid]), {
        "ix-expression": "random()", "ix-method": "btree"}, **HX)
    assert response.status_code == 422
    page = response.content.decode()
    assert "must be marked IMMUTABLE" in page
    assert "Name at least one column or an expression" not in page
    assert schema_of(project) == before
    # with neither a column nor an expression, that is the reason
    response = alice.post(reverse("index_add", args=["shop", uid]), {"ix-method": "btree"},
                          **HX)
    assert response.status_code == 422
    assert "Name at least one column or an expression" in response.content.decode()
