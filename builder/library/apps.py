from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "builder.library"
    verbose_name = "Library"
