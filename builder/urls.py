from django.contrib import admin
from django.urls import include, path

from builder.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("builder.accounts.urls")),
    path("", include("builder.editor.urls")),
    path("", include("builder.hosts.urls")),
]
