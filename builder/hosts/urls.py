from django.urls import path

from . import views

urlpatterns = [
    path("hosts/", views.hosts, name="hosts"),
    path("hosts/<int:pk>/", views.host, name="host"),
    path("hosts/<int:pk>/refresh/", views.refresh_capabilities, name="host-refresh"),
    path("templates/<int:pk>/push/", views.push_form, name="template-push"),
    path("deployments/<int:pk>/", views.deployment, name="deployment"),
    path("deployments/<int:pk>/drift/", views.check_drift, name="deployment-drift"),
    path("deployments/<int:pk>/<str:op>/", views.act, name="deployment-act"),
]
