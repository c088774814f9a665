from django.core.management.base import CommandError

from builder.domainxml.parse import XMLInputError
from builder.library.management.base import TemplateOutputCommand
from builder.library.rendering import render_xml


class Command(TemplateOutputCommand):
    help = "Print (or write to a file) a template's whole domain XML."

    def text(self, template):
        try:
            return render_xml(template)
        except XMLInputError as e:
            raise CommandError(f"template {template.pk} cannot be assembled: {e}") from None
