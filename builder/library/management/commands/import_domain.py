from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from builder.domainxml.parse import XMLInputError
from builder.library.services import import_domain, read_upload


class Command(BaseCommand):
    help = "Import domain XML files (e.g. virsh dumpxml output), one template per file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **opts):
        failed = 0
        for name in files:
            path = Path(name)
            try:
                result = import_domain(read_upload(path), fallback_name=path.stem)
            except XMLInputError as e:
                self.stderr.write(f"error: {name}: {e}")
                failed += 1
                continue
            t = result.template
            self.stdout.write(f"imported {name} as template {t.pk} ({t.name})")
            for w in result.warnings:
                self.stdout.write(f"warning: {w}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be imported", returncode=1)
