"""Reads for the views."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet

from modeler.web.models import DbTable, Design, Project


def projects_of(user: AbstractBaseUser) -> QuerySet[Project]:
    return (Project.objects.filter(memberships__user=user)
            .annotate(n_members=Count("memberships", distinct=True))
            .order_by("name"))


def tables_of(design: Design) -> QuerySet[DbTable]:
    return (DbTable.objects.filter(design=design)
            .annotate(n_columns=Count("columns")).order_by("namespace", "name"))
