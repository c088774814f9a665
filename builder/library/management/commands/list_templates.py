from django.core.management.base import BaseCommand

from builder.library.models import DomainTemplate


class Command(BaseCommand):
    help = "List templates, one line each: ID NAME."

    def handle(self, *args, **opts):
        for pk, name in DomainTemplate.objects.order_by("pk").values_list("pk", "name"):
            self.stdout.write(f"{pk} {name}")
