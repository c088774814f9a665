from django.urls import path

from .views import devices, history, imports, library, profiles, templates

urlpatterns = [
    path("", library.library, name="library"),
    path("import/", imports.import_page, name="import"),
    path("import/file/", imports.import_file, name="import-file"),
    path("templates/new/", templates.new_template, name="template-new"),
    path("templates/<int:pk>/", templates.editor, name="template-editor"),
    path("templates/<int:pk>/preview/", templates.preview, name="template-preview"),
    path("templates/<int:pk>/xml/", templates.raw_xml, name="template-xml"),
    path("templates/<int:pk>/parameters/", templates.parameters, name="template-parameters"),
    path("templates/<int:pk>/history/", history.history, name="template-history"),
    path("templates/<int:pk>/history/<int:number>/restore/", history.restore, name="template-restore"),
    path("templates/<int:pk>/fork/", templates.fork, name="template-fork"),
    path("templates/<int:pk>/download/", templates.download, name="template-download"),
    path("templates/<int:pk>/bundle/", templates.bundle, name="template-bundle"),
    path("templates/<int:pk>/render/", templates.render_template, name="template-render"),
    path("templates/<int:pk>/devices/add/", devices.add, name="device-add"),
    path("templates/<int:pk>/devices/<int:sid>/move/", devices.move, name="device-move"),
    path("templates/<int:pk>/devices/<int:sid>/remove/", devices.remove, name="device-remove"),
    path("templates/<int:pk>/devices/<int:sid>/detach/", devices.detach, name="device-detach"),
    path("templates/<int:pk>/devices/<int:sid>/save-as-profile/", devices.save_as_profile, name="device-save-profile"),
    path("templates/<int:pk>/devices/<int:sid>/xml/", devices.slot_xml, name="device-xml"),
    path("profiles/new/", profiles.new, name="profile-new"),
    path("profiles/<int:pk>/", profiles.editor, name="profile-editor"),
    path("profiles/<int:pk>/preview/", profiles.preview, name="profile-preview"),
]
