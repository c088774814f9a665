import copy

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from builder.domainxml.parse import XMLInputError, parse_xml, rewrite_legacy
from builder.library.services import check, read_upload


class Command(BaseCommand):
    help = "Check domain XML files against libvirt's schema and the rules it misses; exit 1 on any error."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **opts):
        bad = 0
        for name in files:
            try:
                root = parse_xml(read_upload(name), settings.MAX_XML_BYTES, root_tag="domain")
            except XMLInputError as e:
                self.stderr.write(f"error: {name}: {e}")
                bad += 1
                continue
            # The file as libvirt would read it; the 2008 spellings are named, not silently fixed.
            problems = check(root)
            for hint in rewrite_legacy(copy.deepcopy(root)):
                self.stdout.write(f"warning: {name}: import_domain would rewrite this: {hint}")
            for p in problems:
                self.stdout.write(f"{p.level}: {name}: {p}")
            if any(p.level == "error" for p in problems):
                bad += 1
            else:
                self.stdout.write(f"{name}: valid")
        if bad:
            raise CommandError(f"{bad} of {len(files)} files have errors", returncode=1)
