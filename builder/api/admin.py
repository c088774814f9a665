from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # No way to add one here: the plaintext would have nowhere to be shown. Use the account page.
    list_display = ["prefix", "name", "user", "scope", "created", "expires_at", "last_used", "revoked_at"]
    list_filter = ["scope", "revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "user__username"]
    # What a token may do is fixed when it is made; revoke it and make another to change that.
    readonly_fields = ["user", "prefix", "scope", "created", "last_used"]

    def has_add_permission(self, request):
        return False
