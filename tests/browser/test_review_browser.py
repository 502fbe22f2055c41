"""Team review in headless Chromium, two users side by side (issue 8).

The author proposes a change (a new table, drawn in the proposal's own editor); the reviewer
finds the review request in the inbox, comments on the table and requests changes; the
author adds the column, resolves the thread and asks again; the reviewer approves; the author
merges, and the new version is listed and exports as a bundle.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from modeler.review.models import Proposal
from modeler.web import services as web_services
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.review.helpers import good_schema

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def idle(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def review_diagram(page: Page) -> Any:
    return page.locator("#review-diagram svg")


def test_review_journey(login_page: Any, make_user: Any, add_member: Any, url: Any,
                        shot: Any) -> None:
    owner = make_user("olga")
    project = web_services.project_create(name="Web shop", slug="shop", owner=owner)
    add_member(project, "ed", "editor")
    add_member(project, "rita", "reviewer")
    materialize(good_schema(), web_services.main_design(project))
    version_save(project=project, actor=owner, message="First version of the shop")

    # -- the author starts a proposal from the project page
    author = login_page("ed")
    author.goto(url("/p/shop/"))
    author.locator("#proposals-link").click()
    author.get_by_role("link", name="New proposal").click()
    author.fill("#id_title", "Add products")
    author.fill("#id_description", "The shop starts selling its own products.")
    expect(author.get_by_label("rita (reviewer)")).to_be_checked()
    author.get_by_role("button", name="Start proposal").click()
    expect(author.locator("h1")).to_contain_text("#1 Add products")
    design_id = Proposal.objects.get().design_id

    # -- ... and draws the change in the proposal's own editor
    author.locator("#edit-proposal").click()
    author.wait_for_url(f"**/p/shop/d/{design_id}/edit/")
    author.wait_for_selector("#diagram svg")
    form = author.locator("#add-table")
    form.locator("#id_new-name").fill("product")
    form.locator("#id_new-comment").fill("Things the shop sells to its customers.")
    with author.expect_response(lambda r: r.request.method == "POST"):
        form.get_by_role("button", name="Add table").click()
    expect(author.locator("#panel-title")).to_have_text("product")
    product = author.locator("#panel-title").get_attribute("data-table")
    assert product
    idle(author)
    author.locator("#review-link").click()
    expect(author.locator("#change-list")).to_contain_text("product")
    expect(review_diagram(author).locator(f"#table-{product}")).to_contain_text("review: added")
    shot(author, "01-proposal")

    # -- the reviewer gets the request, comments on the table, requests changes
    reviewer = login_page("rita")
    reviewer.goto(url("/inbox/"))
    reviewer.get_by_role("button", name=re.compile("asks you to review proposal #1")).click()
    expect(reviewer.locator("h1")).to_contain_text("Add products")
    expect(reviewer.locator("#show-before")).to_be_visible()
    reviewer.locator("#show-before").click()
    expect(reviewer.locator("#review-diagram .svg-host")).to_have_attribute("data-side",
                                                                           "before")
    expect(review_diagram(reviewer).locator(f"#table-{product}")).to_have_count(0)
    reviewer.locator("#show-after").click()
    expect(review_diagram(reviewer).locator(f"#table-{product}")).to_have_count(1)
    thread_form = reviewer.locator("#new-thread")
    thread_form.locator("select[name=anchor]").select_option(label="table product")
    thread_form.locator("textarea[name=body]").fill("A product needs a name column.")
    thread_form.get_by_role("button", name="Comment").click()
    thread = reviewer.locator("article.thread").first
    expect(thread).to_contain_text("on table product")
    expect(thread).to_contain_text("A product needs a name column.")
    idle(reviewer)
    expect(review_diagram(reviewer).locator(f"#table-{product}")).to_contain_text("\u270e1")
    verdict = reviewer.locator("#verdict-form")
    verdict.get_by_label("Request changes").check()
    verdict.locator("textarea[name=message]").fill("Please add the name column first.")
    verdict.get_by_role("button", name="Submit verdict").click()
    expect(reviewer.locator("#verdicts")).to_contain_text("request changes")
    idle(reviewer)
    shot(reviewer, "02-changes-requested")

    # -- the author sees it in the inbox, fixes the design, resolves the thread
    author.goto(url("/inbox/"))
    expect(author.locator("#inbox-items")).to_contain_text("requested changes on proposal #1")
    author.goto(url(f"/p/shop/d/{design_id}/edit/?table={product}"))
    expect(author.locator("#panel-title")).to_have_text("product")
    section = author.locator("#add-column")
    section.locator("summary").click()
    section.locator("#id_col-name").fill("name")
    section.locator("#id_col-type").select_option("text")
    with author.expect_response(lambda r: r.request.method == "POST"):
        section.get_by_role("button", name="Add column").click()
    expect(author.locator("#columns code", has_text="name").first).to_be_visible()
    idle(author)
    author.locator("#review-link").click()
    expect(author.locator("#merge")).to_be_disabled()
    author.locator("article.thread").first.get_by_role("button", name="Resolve").click()
    expect(author.locator("article.thread").first).to_contain_text("resolved by ed")
    idle(author)
    author.get_by_role("button", name="Ask for review").click()
    expect(author.locator(".messages")).to_contain_text("Asked 1 reviewer")

    # -- the reviewer approves the current revision
    reviewer.reload()
    verdict = reviewer.locator("#verdict-form")
    verdict.get_by_label("Approve").check()
    verdict.locator("textarea[name=message]").fill("Looks good now.")
    verdict.get_by_role("button", name="Submit verdict").click()
    expect(reviewer.locator("#approval-state")).to_contain_text("1 of 1 approval for revision")
    idle(reviewer)

    # -- the author merges; the new version is listed and exports
    author.reload()
    for check in ("approvals", "threads", "block", "justify", "conflicts"):
        expect(author.locator(f'[data-check="{check}"]')).to_have_class("ok")
    author.locator("#merge").click()
    expect(author.locator("#proposal-status")).to_have_text("merged")
    expect(author.locator("#merged-version")).to_have_text("version 2")
    shot(author, "03-merged")
    author.locator("#merged-version").click()
    row = author.locator("#versions tbody tr", has_text="Merge proposal #1: Add products")
    expect(row).to_have_count(1)
    with author.expect_download() as download_info:
        row.get_by_role("link", name="Export bundle").click()
    download = download_info.value
    body = download.path().read_bytes()  # type: ignore[union-attr]
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert any(re.search(r"migrations/versions/0002_merge_proposal_1", n) for n in names), names
    # the review stays readable after the merge
    author.goto(url("/p/shop/proposals/"))
    expect(author.locator("#finished-proposals")).to_contain_text("Add products")
