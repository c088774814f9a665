from django.apps import AppConfig


class EditorConfig(AppConfig):
    name = "builder.editor"
    verbose_name = "Editor"
