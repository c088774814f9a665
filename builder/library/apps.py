from django.apps import AppConfig
from django.db.models.signals import post_save


class LibraryConfig(AppConfig):
    name = "builder.library"
    verbose_name = "Library"

    def ready(self):
        # Imported here, not above: Django imports this module before the app registry can load models.
        from .models import DeviceProfile
        from .revisions import profile_changed

        # Every save of a profile records a revision, whichever code saved it.
        post_save.connect(profile_changed, sender=DeviceProfile, dispatch_uid="profile_revision")
