"""What the export commands share: find the template by id, write to a file or standard output."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from builder.library.models import DomainTemplate


class TemplateOutputCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("id", type=int, metavar="ID")
        parser.add_argument("-o", "--output", metavar="OUT", help="write to this file instead of standard output")

    def text(self, template: DomainTemplate) -> str:
        raise NotImplementedError

    def handle(self, *args, id, output, **opts):
        try:
            template = DomainTemplate.objects.get(pk=id)
        except DomainTemplate.DoesNotExist:
            raise CommandError(f"no template with id {id}") from None
        text = self.text(template)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
