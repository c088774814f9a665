"""`manage.py api_token USERNAME [--name NAME] [--expires-in-days N] [--read-only]`: prints a new API
token for USERNAME, and only that."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from builder.api.models import ApiToken


class Command(BaseCommand):
    help = "Make a new API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, shown on the account page")
        parser.add_argument(
            "--expires-in-days", type=int, metavar="N", help="refuse the token N days from now (default: never)"
        )
        parser.add_argument("--read-only", action="store_true", help="the token may only read (GET), not import")

    def handle(self, *args, username, name, expires_in_days, read_only, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        problem = "no user named" if user is None else "no active user named" if not user.is_active else ""
        if problem:
            self.fail(f"{problem} {username!r}")
        if expires_in_days is not None and expires_in_days < 1:
            self.fail(f"--expires-in-days must be 1 or more, not {expires_in_days}")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        scope = ApiToken.Scope.READ if read_only else ApiToken.Scope.READ_WRITE
        _, plaintext = ApiToken.issue(user, name or "command line", expires_at=expires_at, scope=scope)
        self.stdout.write(plaintext)

    def fail(self, problem: str):
        # The same `error: ...` line the other commands print; CommandError makes the exit status 1.
        self.stderr.write(f"error: {problem}")
        raise CommandError("no token was made", returncode=1)
