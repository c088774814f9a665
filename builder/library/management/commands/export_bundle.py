from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from builder.library.bundles import dumps
from builder.library.models import DomainTemplate


class Command(BaseCommand):
    help = "Print (or write to a file) a template with the profiles it links to, as one JSON bundle."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int, metavar="ID")
        parser.add_argument("-o", "--output", metavar="OUT", help="write to this file instead of standard output")

    def handle(self, *args, id, output, **opts):
        try:
            template = DomainTemplate.objects.get(pk=id)
        except DomainTemplate.DoesNotExist:
            raise CommandError(f"no template with id {id}") from None
        text = dumps(template)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
