from builder.library.bundles import BundleError, import_bundle, read_bundle
from builder.library.management.base import FileImportCommand


class Command(FileImportCommand):
    help = "Import bundles (export_bundle's JSON files): one template per file, reusing profiles already here."
    detail = "note"
    errors = (BundleError,)

    def import_one(self, name):
        return import_bundle(read_bundle(name))
