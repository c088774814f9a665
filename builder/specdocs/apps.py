from django.apps import AppConfig
from django.core.signals import request_started


class SpecdocsConfig(AppConfig):
    name = "builder.specdocs"
    verbose_name = "Spec documentation"

    def ready(self):
        from . import tooltips  # here, not above: tooltips imports models, not loaded yet when this module is

        # Tooltips are cached per process; each request checks once whether an import changed them.
        request_started.connect(tooltips.expire, dispatch_uid="specdocs-expire")
