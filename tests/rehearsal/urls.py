"""The application's URLs plus the rehearsal page (until modeler/urls.py mounts it)."""

from __future__ import annotations

from django.urls import path

from modeler.urls import urlpatterns as base
from modeler.web.views import rehearsal

urlpatterns = [
    path("p/<slug:slug>/rehearse/", rehearsal.rehearsal, name="rehearsal"),
    *base,
]
