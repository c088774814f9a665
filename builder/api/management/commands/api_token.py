"""`manage.py api_token USERNAME [--name NAME]`: prints a new API token for USERNAME, and only that."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from builder.api.models import ApiToken


class Command(BaseCommand):
    help = "Make a new API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, shown on the account page")

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        problem = "no user named" if user is None else "no active user named" if not user.is_active else ""
        if problem:
            # The same `error: ...` line the other commands print; CommandError makes the exit status 1.
            self.stderr.write(f"error: {problem} {username!r}")
            raise CommandError("no token was made", returncode=1)
        _, plaintext = ApiToken.issue(user, name or "command line")
        self.stdout.write(plaintext)
