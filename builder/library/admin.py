from django.contrib import admin

from . import access, links, revisions
from .models import DeviceProfile, DeviceSlot, DomainTemplate, Membership, Team, TemplateRevision


class VisibleOnly:
    """The admin lists only what its user may see in the app: superusers see no one's private objects."""

    def get_queryset(self, request):
        return access.visible(super().get_queryset(request), request.user)


@admin.register(DeviceProfile)
class DeviceProfileAdmin(VisibleOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "summary", "owner", "updated"]
    list_filter = ["kind"]
    search_fields = ["name", "description", "summary"]


class DeviceSlotInline(admin.TabularInline):
    model = DeviceSlot
    extra = 0
    autocomplete_fields = ["profile"]


@admin.register(DomainTemplate)
class DomainTemplateAdmin(VisibleOnly, admin.ModelAdmin):
    list_display = ["name", "domain_type", "vcpus", "memory_kib", "owner", "updated"]
    list_filter = ["domain_type"]
    search_fields = ["name", "description"]
    inlines = [DeviceSlotInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revisions.changed(form.instance)


@admin.register(TemplateRevision)
class TemplateRevisionAdmin(admin.ModelAdmin):
    """Revisions are never changed: shown only."""

    list_display = ["template", "number", "author", "created", "message"]
    list_filter = ["template"]
    readonly_fields = ["template", "number", "author", "created", "message", "snapshot", "rendered"]

    def get_queryset(self, request):
        seen = access.visible(DomainTemplate.objects.all(), request.user)
        return super().get_queryset(request).filter(template__in=seen)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        links.enforce_for_team(form.instance.pk)  # who sees the team's objects may have changed
