"""Push a template to a host from the shell: what the template page's push buttons do."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from builder.hosts.changes import classify
from builder.hosts.models import Host
from builder.hosts.push import push
from builder.library.models import DomainTemplate


class Command(BaseCommand):
    help = "Define (and with --start, start) template ID on a host; prints what libvirt changed, exit 1 on failure."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int, metavar="ID")
        parser.add_argument("--host", required=True, metavar="NAME")
        parser.add_argument("--start", action="store_true", help="start the domain once defined")
        parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a parameter's value")
        parser.add_argument("--revision", default="", help="draft, published or a number (default: published)")
        parser.add_argument("--user", default="", help="record the push as this user's (default: nobody)")

    def handle(self, *args, id, host, start, param, revision, user, **opts):
        template = DomainTemplate.objects.filter(pk=id).first()
        if template is None:
            raise CommandError(f"no template with id {id}")
        target = Host.objects.filter(name=host).first()
        if target is None:
            names = ", ".join(Host.objects.values_list("name", flat=True)) or "none yet (see add_host)"
            raise CommandError(f"no host called {host!r}; hosts: {names}")
        values = {}
        for item in param:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(f"--param takes KEY=VALUE, not {item!r}")
            values[key] = value
        who = None
        if user:
            who = get_user_model().objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"no user called {user!r}")
        deployment = push(template, target, who, start=start, values=values, which=revision or None)
        if not deployment.ok:
            self.stderr.write(f"error: {template.name} to {target.name}: {deployment.error}")
            if deployment.returned_xml:
                self.stderr.write(f"note: the domain {deployment.domain_name} is defined on {target.name}")
            raise SystemExit(1)
        done = "defined and started" if start else "defined"
        self.stdout.write(
            f"{done} {deployment.domain_name} ({deployment.domain_uuid}) on {target.name} "
            f"from {template.name} {deployment.revision_label}"
        )
        changes = classify(deployment.sent_xml, deployment.returned_xml)
        for change in changes.problems:
            self.stdout.write(f"libvirt dropped or changed: {change.path}: {change.text}")
        for change in changes.expected:
            self.stdout.write(f"libvirt added or normalised: {change.path}: {change.text}")
