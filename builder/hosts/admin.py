from django.contrib import admin

from .models import Deployment, Host, HostPolicy


class HostPolicyInline(admin.StackedInline):
    model = HostPolicy
    can_delete = False
    extra = 1
    max_num = 1


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    """The URI is checked by the model field's validator: the same rules as the app's host form."""

    list_display = ["name", "display_uri", "description"]
    search_fields = ["name", "description"]
    filter_horizontal = ["teams", "admins"]
    inlines = [HostPolicyInline]


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    """A record of what happened: read only."""

    list_display = ["template_name", "host", "domain_name", "user", "created", "ok"]
    list_filter = ["ok", "host"]
    search_fields = ["template_name", "domain_name", "domain_uuid"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
