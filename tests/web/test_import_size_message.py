"""An upload over the limit is told its size and the limit so that they differ.

Found importing a 21,000,000-character paste: "The upload is 20.0 MB; the limit is 20 MB."
(20.0 is not over 20); with a small limit it said "0.0 MB; the limit is 0 MB"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _message(client: Client, text: str) -> str:
    response = client.post(reverse("import_start"), {"name": "X", "slug": "x", "format": "sql",
                                                     "text": text})
    assert response.status_code == 422
    page = response.content.decode()
    return page.split("<strong>Import failed.</strong>", 1)[1].split("<", 1)[0].strip()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_the_size_and_the_limit_differ_as_written(client: Client, user: Any) -> None:
    client.force_login(user)
    mib = 2**20
    with override_settings(MODELER_MAX_UPLOAD_BYTES=20 * mib):
        assert _message(client, "x" * 21_000_000) == \
            "The upload is 20.03 MB; the limit is 20 MB."
        assert _message(client, "x" * (20 * mib + 1)) == \
            "The upload is 20,971,521 bytes; the limit is 20,971,520 bytes."
    with override_settings(MODELER_MAX_UPLOAD_BYTES=100):
        assert _message(client, "x" * 500) == "The upload is 500 bytes; the limit is 100 bytes."
