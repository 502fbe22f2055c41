"""Forms validate input; services do the writes."""

from __future__ import annotations

from django import forms

from modeler.web.models import Project


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Project
        fields = ["name", "slug", "description", "provider", "pk_policy", "pg_version"]
        labels = {"pk_policy": "Primary-key policy", "pg_version": "PostgreSQL major version"}
        help_texts = {
            "slug": "Lowercase letters, digits and hyphens; used in URLs and the export.",
            "provider": "neon: the export uses the pooled URL for the app and the direct URL "
                        "for migrations.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].strip()
        if Project.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"A project with slug “{slug}” already exists.")
        return slug

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("A project needs a name.")
        return name
