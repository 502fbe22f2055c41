"""One selector for the findings of a design (issue #15): levels, grandfathering and the
design's own waivers, for the main design and a proposal's alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.review import services as review
from modeler.web import models as db
from modeler.web import ruling, selectors, services
from modeler.web.snapshot import materialize, snapshot
from modeler.web.versions import version_findings, version_save
from tests.review.helpers import add_column, edit, good_schema, waive

pytestmark = pytest.mark.django_db


def cn01(design: db.Design) -> Any:
    """The CN-01 finding (a nullable column) of ``design``."""
    return next(f for f in selectors.design_findings(design) if f.rule == "CN-01")


@pytest.fixture
def proposal(user: Any) -> Any:
    """A project whose main design and proposal both gained ``customer.nickname`` (nullable:
    CN-01, a JUSTIFY finding) after version 1; the main design's finding is waived."""
    project = services.project_create(name="Shop", slug="shop", owner=user)
    main = services.main_design(project)
    materialize(good_schema(), main)
    version_save(project=project, actor=user, message="First version of the shop")
    proposal = review.proposal_create(project=project, actor=user, title="Nicknames")
    nickname = add_column("customer", "nickname", nullable=True,
                          comment="What friends call them")
    edit(main, user, nickname)
    edit(proposal.design, user, nickname)
    waive(main, user, snapshot(main), "CN-01")
    return proposal


def test_a_proposal_has_its_own_waivers(proposal: Any) -> None:
    main = services.main_design(proposal.project)
    assert cn01(main).waived
    assert not cn01(proposal.design).waived
    assert cn01(main).key == cn01(proposal.design).key  # the same finding in both


def test_the_proposal_waive_page_shows_the_proposals_waiver_state(proposal: Any,
                                                                   user: Any) -> None:
    client = Client()
    client.force_login(user)
    finding = cn01(proposal.design)
    url = (reverse("waive", args=["shop", proposal.design.pk])
           + f"?rule=CN-01&key={finding.target.key}")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["finding"].waived is False  # the main design's waiver is not its
    done = client.post(url, {"justification": "Optional display name; NULL means none."})
    assert done.status_code == 302
    assert client.get(url).context["finding"].waived is True
    assert db.Waiver.objects.filter(design=proposal.design, rule="CN-01").count() == 1
    assert db.Waiver.objects.filter(design=services.main_design(proposal.project),
                                    rule="CN-01").count() == 1


def test_the_proposal_waivers_page_judges_its_own_waivers(proposal: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    waive(proposal.design, user, snapshot(proposal.design), "CN-01")
    page = client.get(reverse("waivers", args=["shop", proposal.design.pk]))
    assert page.status_code == 200
    assert [r["status"] for r in page.context["rows"]] == ["valid"]


def test_every_way_in_gives_the_selectors_findings(proposal: Any) -> None:
    design = proposal.design
    schema = snapshot(design)
    found = selectors.design_findings(design)
    assert found == selectors.design_findings(design, schema)
    assert ruling.lint_project(schema, design.project, design) == found
    gate = version_findings(schema, design.project, design, message=None)
    assert gate == selectors.design_findings(design, schema, version=True)
    assert {f.key for f in found if f.level.value == "justify"} <= {f.key for f in gate}
