from django.urls import path

from . import admin_views, views

urlpatterns = [
    path("hosts/", views.hosts, name="hosts"),
    path("hosts/new/", admin_views.add_host, name="host-add"),
    path("hosts/<int:pk>/", views.host, name="host"),
    path("hosts/<int:pk>/edit/", admin_views.edit_host, name="host-edit"),
    path("hosts/<int:pk>/remove/", admin_views.remove_host, name="host-remove"),
    path("hosts/<int:pk>/refresh/", views.refresh_capabilities, name="host-refresh"),
    path("templates/<int:pk>/push/", views.push_form, name="template-push"),
    path("deployments/<int:pk>/", views.deployment, name="deployment"),
    path("deployments/<int:pk>/drift/", views.check_drift, name="deployment-drift"),
    path("deployments/<int:pk>/<str:op>/", views.act, name="deployment-act"),
]
