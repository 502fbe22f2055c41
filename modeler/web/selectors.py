"""Reads for the views."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery

from modeler.web.models import DbTable, Design, Membership, Project


def projects_of(user: AbstractBaseUser) -> QuerySet[Project]:
    # counted in a subquery: the filter's join on the user's own membership would count 1
    members = (Membership.objects.filter(project=OuterRef("pk")).order_by()
               .values("project").annotate(n=Count("pk")).values("n"))
    return (Project.objects.filter(memberships__user=user)
            .annotate(n_members=Subquery(members, output_field=IntegerField()))
            .order_by("name"))


def tables_of(design: Design) -> QuerySet[DbTable]:
    return (DbTable.objects.filter(design=design)
            .annotate(n_columns=Count("columns")).order_by("namespace", "name"))
