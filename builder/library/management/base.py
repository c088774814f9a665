"""What the library's commands share: the export contract (a template by id, to a file or standard
output) and the import contract (one template per file, a line each, exit 1 if any failed)."""

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


class FileImportCommand(BaseCommand):
    """`imported FILE as template ID (NAME)` and one `<detail>: ...` line per remark for each file;
    `error: FILE: reason` for a file that cannot be imported (nothing of it saved), the others go
    on, and the exit status is 1 if any failed."""

    detail = "warning"
    errors: tuple[type[Exception], ...] = ()

    def import_one(self, name: str) -> tuple[DomainTemplate, list[str]]:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **opts):
        failed = 0
        for name in files:
            try:
                template, remarks = self.import_one(name)
            except self.errors as e:
                self.stderr.write(f"error: {name}: {e}")
                failed += 1
                continue
            self.stdout.write(f"imported {name} as template {template.pk} ({template.name})")
            for remark in remarks:
                self.stdout.write(f"{self.detail}: {remark}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be imported", returncode=1)
