"""Add a libvirt host people may push to (the shell's counterpart of the admin's Host form)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from builder.hosts.models import Host, HostPolicy
from builder.hosts.uris import BadUri, check_uri
from builder.library.models import Team


class Command(BaseCommand):
    help = "Add a libvirt host: NAME URI [--team TEAM ...]. Run again with the same NAME and URI, it keeps it."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("uri", help="a libvirt URI, e.g. qemu:///system, qemu+ssh://root@kvm1/system")
        parser.add_argument("--team", action="append", default=[], help="a team whose editors may push (repeatable)")
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--allowed-path",
            action="append",
            default=[],
            dest="allowed_paths",
            help="a host directory where disks and files may be, besides its pools (repeatable; a new host only)",
        )
        parser.add_argument(
            "--trusted",
            action="store_true",
            help="trusted, single team: allows everything (a new host only)",
        )

    @transaction.atomic
    def handle(self, *args, name, uri, team, description, allowed_paths, trusted, **opts):
        try:
            check_uri(uri)
        except BadUri as e:
            raise CommandError(f"refused URI: {e}") from None
        teams = []
        for team_name in team:
            found = Team.objects.filter(name=team_name).first()
            if found is None:
                raise CommandError(f"no team called {team_name!r}")
            teams.append(found)
        host = Host.objects.filter(name=name).first()
        if host is not None and host.uri != uri:
            raise CommandError(f"a host called {name!r} exists already, with another URI; change it in the admin")
        made = host is None
        if made:
            host = Host.objects.create(name=name, uri=uri, description=description)
            policy = HostPolicy(host=host, trusted=trusted, allowed_paths="\n".join(allowed_paths))
            try:
                policy.full_clean()
            except ValidationError as e:
                raise CommandError("; ".join(e.messages)) from None
            policy.save()
        host.teams.add(*teams)
        verb = "added" if made else "kept"
        self.stdout.write(f"{verb} host {host.name} ({host.display_uri})")
