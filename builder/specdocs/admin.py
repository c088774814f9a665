from django.contrib import admin

from .models import DocEntry


@admin.register(DocEntry)
class DocEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "source", "kind", "since", "anchor"]
    list_filter = ["source", "kind"]
    search_fields = ["name", "parent", "text", "anchor"]
