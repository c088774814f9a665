from django.core.management.base import BaseCommand, CommandError

from builder.library.bundles import BundleError, import_bundle, read_bundle


class Command(BaseCommand):
    help = "Import bundles (export_bundle's JSON files): one template per file, reusing profiles already here."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **opts):
        failed = 0
        for name in files:
            try:
                template, notes = import_bundle(read_bundle(name))
            except BundleError as e:
                self.stderr.write(f"error: {name}: {e}")
                failed += 1
                continue
            self.stdout.write(f"imported {name} as template {template.pk} ({template.name})")
            for note in notes:
                self.stdout.write(f"note: {note}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be imported", returncode=1)
