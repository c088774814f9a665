from builder.library.bundles import dumps
from builder.library.management.base import TemplateOutputCommand


class Command(TemplateOutputCommand):
    help = "Print (or write to a file) a template with the profiles it links to, as one JSON bundle."

    def text(self, template):
        return dumps(template)
