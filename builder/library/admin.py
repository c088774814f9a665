from django.contrib import admin

from . import revisions
from .models import DeviceProfile, DeviceSlot, DomainTemplate, TemplateRevision


@admin.register(DeviceProfile)
class DeviceProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "summary", "owner", "updated"]
    list_filter = ["kind"]
    search_fields = ["name", "description", "summary"]


class DeviceSlotInline(admin.TabularInline):
    model = DeviceSlot
    extra = 0
    autocomplete_fields = ["profile"]


@admin.register(DomainTemplate)
class DomainTemplateAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
