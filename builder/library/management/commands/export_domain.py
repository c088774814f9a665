from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from builder.domainxml.parse import XMLInputError
from builder.library.models import DomainTemplate
from builder.library.services import render_xml


class Command(BaseCommand):
    help = "Print (or write to a file) a template's whole domain XML."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int, metavar="ID")
        parser.add_argument("-o", "--output", metavar="OUT", help="write to this file instead of standard output")

    def handle(self, *args, id, output, **opts):
        try:
            template = DomainTemplate.objects.get(pk=id)
        except DomainTemplate.DoesNotExist:
            raise CommandError(f"no template with id {id}") from None
        try:
            xml = render_xml(template)
        except XMLInputError as e:
            raise CommandError(f"template {id} cannot be assembled: {e}") from None
        if output:
            Path(output).write_text(xml, encoding="utf-8")
        else:
            self.stdout.write(xml, ending="")
