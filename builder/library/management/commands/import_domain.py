from pathlib import Path

from builder.domainxml.parse import XMLInputError
from builder.library.management.base import FileImportCommand
from builder.library.services import import_domain, read_upload


class Command(FileImportCommand):
    help = "Import domain XML files (e.g. virsh dumpxml output), one template per file."
    errors = (XMLInputError,)

    def import_one(self, name):
        path = Path(name)
        result = import_domain(read_upload(path), fallback_name=path.stem)
        return result.template, result.warnings
