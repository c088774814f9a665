from django.contrib import admin

from .models import DeviceProfile, DeviceSlot, DomainTemplate


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
