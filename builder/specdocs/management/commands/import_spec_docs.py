from django.core.management.base import BaseCommand, CommandError

from builder.specdocs.models import DocEntry
from builder.specdocs.services import import_spec
from builder.specpage.entries import SpecError


class Command(BaseCommand):
    help = (
        "Read a copy of libvirt's Domain XML spec (formatdomain.html, libvirt's own or the 2008 one) "
        "into the form tooltips; replaces what the same kind of copy gave before."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH")

    def handle(self, *args, path, **opts):
        try:
            result = import_spec(path)
        except SpecError as e:
            self.stderr.write(f"error: {path}: {e}")
            raise CommandError("nothing imported", returncode=1) from None
        label = DocEntry.Source(result.source).label
        self.stdout.write(f"read {result.entries} entries from {path} ({label})")
        self.stdout.write(f"matched {result.matched} of {result.fields} declared fields")
