"""The review page's migration follows the export's target stack (``MODELER_EXPORT_TARGET``):
a Drizzle site downloads the drizzle-kit SQL migration of the version (the very file the
Drizzle bundle holds), a site exporting both offers both, each labelled."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from modeler.review import merging
from modeler.web import exporting
from tests.review.conftest import World
from tests.review.test_merge import ready

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"review:{name}", args=["shop", *args])


def test_a_drizzle_site_gets_the_drizzle_migration(world: World, settings: Any) -> None:
    settings.MODELER_EXPORT_TARGET = "drizzle"
    p = ready(world)
    viewer = world.client("viewer")
    page = viewer.get(url("proposal_detail", 1)).content.decode()
    assert "Download migration (drizzle-kit SQL)" in page
    assert url("proposal_drizzle_migration", 1) in page
    assert url("proposal_migration", 1) not in page  # no Alembic revision offered
    preview = page[page.index('id="migration"'):]
    assert 'CREATE TABLE product (' in preview and "def upgrade()" not in preview
    open_one = viewer.get(url("proposal_drizzle_migration", 1))
    assert open_one.status_code == 200
    assert 'filename="proposal_1_0001_v2_' in open_one["Content-Disposition"]
    merging.proposal_merge(proposal=p, actor=world.users["author"])
    merged = viewer.get(url("proposal_drizzle_migration", 1))
    name = merged["Content-Disposition"].split('filename="proposal_1_', 1)[1].rstrip('"')
    _, body = exporting.bundle(world.project, 2, diagram_svg="<svg/>", target="drizzle")
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        (path,) = [n for n in z.namelist() if n.endswith(f"drizzle/{name}")]
        in_bundle = z.read(path).decode()
    assert merged.content.decode() == in_bundle
    # before the merge, the same statements (the header's author is whoever merges)
    assert open_one.content.decode().split("\n", 2)[2] == in_bundle.split("\n", 2)[2]


def test_both_targets_offer_both_labelled(world: World, settings: Any) -> None:
    settings.MODELER_EXPORT_TARGET = "both"
    ready(world)
    page = world.client("viewer").get(url("proposal_detail", 1)).content.decode()
    assert "Download migration (Alembic revision)" in page
    assert "Download migration (drizzle-kit SQL)" in page
    assert "def upgrade()" in page[page.index('id="migration"'):]
