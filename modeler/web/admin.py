from django.contrib import admin

from modeler.web import models


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    list_display = ("name", "slug", "owner", "provider", "pg_version", "created_at")
    search_fields = ("name", "slug")


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    list_display = ("project", "user", "role")
    list_filter = ("role",)


@admin.register(models.DbTable)
class TableAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not generic at run time
    list_display = ("name", "namespace", "kind", "design")
    search_fields = ("name",)
