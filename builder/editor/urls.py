from django.urls import path

from . import views

urlpatterns = [
    path("", views.library, name="library"),
    path("templates/<int:pk>/", views.template_detail, name="template-detail"),
    path("templates/<int:pk>/download/", views.template_download, name="template-download"),
]
