from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "builder.api"
    label = "api"
    verbose_name = "HTTP API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the password-change revocation)
