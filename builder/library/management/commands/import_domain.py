from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from builder.domainxml.parse import XMLInputError
from builder.library.services import import_domain


class Command(BaseCommand):
    help = "Import domain XML files (e.g. virsh dumpxml output), one template per file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **opts):
        failed = 0
        for name in files:
            path = Path(name)
            try:
                with path.open("rb") as f:
                    # Read one byte past the limit so an oversized file is refused without reading it all.
                    data = f.read(settings.MAX_XML_BYTES + 1)
                result = import_domain(data, fallback_name=path.stem)
            except (XMLInputError, OSError) as e:
                reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
                self.stderr.write(f"error: {name}: {reason}")
                failed += 1
                continue
            t = result.template
            self.stdout.write(f"imported {name} as template {t.pk} ({t.name})")
            for w in result.warnings:
                self.stdout.write(f"warning: {w}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be imported", returncode=1)
