"""The proposal page's rule findings stay in their column (found on a DBML import's proposal).

A finding's place is a ``<code>`` path such as ``book_authors.book_authors_author_id_fkey``;
long ones did not wrap, so the findings table grew past the main column of the review grid and
under the merge box's column (an ``<aside>`` as tall as the page): its last cell, with the
"Fix…" and "Justify…" links, was covered and could not be clicked.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from modeler.review import services as review_services
from modeler.web import services as web_services
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.review.helpers import add_column, add_table, edit, good_schema

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = "customer_loyalty_programme_memberships"
COLUMN = "membership_tier_chosen_at_the_last_renewal_of_the_programme"


def test_justify_link_of_a_long_finding_is_clickable(login_page: Any, make_user: Any,
                                                     add_member: Any, url: Any,
                                                     shot: Any) -> None:
    owner = make_user("olga")
    project = web_services.project_create(name="Shop", slug="shop", owner=owner)
    add_member(project, "ed", "editor")
    materialize(good_schema(), web_services.main_design(project))
    version_save(project=project, actor=owner, message="First version of the shop")
    proposal = review_services.proposal_create(project=project, actor=owner,
                                               title="Loyalty programme")
    edit(proposal.design, owner, add_table(TABLE))
    # nullable without a NULL meaning: CN-01, a JUSTIFY finding with a long path
    edit(proposal.design, owner, add_column(TABLE, COLUMN, nullable=True,
                                            comment="The tier the member picked"))

    page: Page = login_page("ed")
    page.goto(url(f"/p/shop/proposals/{proposal.number}/"))
    row = page.locator("#findings tr", has_text=f"{TABLE}.{COLUMN}")
    expect(row).to_have_count(1)
    link = row.get_by_role("link", name="Justify…")
    link.scroll_into_view_if_needed()
    shot(page, "findings")
    main = page.locator("section.review-main").bounding_box()
    table = page.locator("#findings table").bounding_box()
    assert main is not None and table is not None
    assert table["x"] + table["width"] <= main["x"] + main["width"] + 1, (table, main)
    link.click(timeout=3_000)  # covered by the aside: "intercepts pointer events"
    page.wait_for_url("**/waive/?rule=CN-01*")
    expect(page.locator("h1")).to_contain_text("Justify CN-01")
