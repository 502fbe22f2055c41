"""A file imported under the other format is named for what it is.

Found as a stranger: a DBML file uploaded with the format left at "PostgreSQL DDL" was
refused as "this looks like MySQL, not PostgreSQL (backtick-quoted identifiers)" (DBML
writes expressions in backticks), telling the user to convert a file they only had to import
as DBML; and SQL imported as DBML got a bare DBML syntax error at its first statement."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web.models import PendingImport, Project

pytestmark = pytest.mark.django_db

DBML = """Project shop {
  database_type: 'PostgreSQL'
}

Table users {
  id integer [pk]
  created_at timestamp [default: `now()`]
}

Ref: orders.user_id > users.id
"""

SQL = """-- the shop's tables
DROP TABLE IF EXISTS users;
CREATE TABLE users (id integer PRIMARY KEY, created_at timestamp DEFAULT now());
"""


def _post(client: Client, fmt: str, text: str) -> Any:
    return client.post(reverse("import_start"),
                       {"name": "Shop", "slug": "shop", "format": fmt, "text": text})


def test_dbml_imported_as_sql_is_named_dbml(client: Client, user: Any) -> None:
    client.force_login(user)
    response = _post(client, "sql", DBML)
    assert response.status_code == 422
    page = response.content.decode()
    assert "MySQL" not in page
    assert "looks like DBML" in page and "choose the DBML format" in page
    assert not PendingImport.objects.exists() and not Project.objects.exists()


def test_sql_imported_as_dbml_is_named_sql(client: Client, user: Any) -> None:
    client.force_login(user)
    response = _post(client, "dbml", SQL)
    assert response.status_code == 422
    page = response.content.decode()
    assert "DBML syntax error" in page  # the parser's own words stay
    assert "looks like SQL" in page and "choose the PostgreSQL DDL format" in page
    assert not PendingImport.objects.exists() and not Project.objects.exists()


def test_real_mysql_and_broken_dbml_keep_their_messages(client: Client, user: Any) -> None:
    client.force_login(user)
    mysql = "CREATE TABLE `t` (`id` int(11) NOT NULL AUTO_INCREMENT) ENGINE=InnoDB;"
    response = _post(client, "sql", mysql)
    assert response.status_code == 422 and "looks like MySQL" in response.content.decode()
    response = _post(client, "dbml", "Table a {\n  id int [pk\n}\n")
    page = response.content.decode()
    assert response.status_code == 422 and "DBML syntax error" in page
    assert "looks like SQL" not in page
    response = _post(client, "sql", "CREATE TABLE t (id int,,);")
    assert response.status_code == 422 and "looks like" not in response.content.decode()
