"""API tokens: only a hash of each is stored, so a leaked database holds no usable token.

A token may expire, may be read-only (builder.api.auth refuses it any request but GET, HEAD and
OPTIONS), and dies with its user's password (builder.api.signals).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

PREFIX_LENGTH = 8


def hash_token(plaintext: str) -> str:
    # The token is 256 random bits: a plain sha256 is enough, no salt or slow hash needed.
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ_WRITE = "read_write", "read and write"
        READ = "read", "read only"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="api_tokens", on_delete=models.CASCADE)
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False, help_text="the token's start, to recognise it")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="refused from then on; empty: never expires")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ_WRITE)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'}, {self.user})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def live(self) -> bool:
        return not self.revoked and not self.expired

    @property
    def read_only(self) -> bool:
        return self.scope == self.Scope.READ

    @classmethod
    def issue(
        cls, user, name: str = "", *, expires_at: datetime | None = None, scope: str = Scope.READ_WRITE
    ) -> tuple[ApiToken, str]:
        """A new token for `user`: (the stored row, the plaintext, which is shown once and kept nowhere)."""
        plaintext = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name.strip()[:100],
            key_hash=hash_token(plaintext),
            prefix=plaintext[:PREFIX_LENGTH],
            expires_at=expires_at,
            scope=scope,
        )
        return token, plaintext

    @classmethod
    def authenticate(cls, plaintext: str) -> ApiToken | None:
        """The live token with this text (of an active user), or None; records when it was used."""
        if not plaintext:
            return None
        now = timezone.now()
        # Looked up by its hash through a unique index: no comparison of secrets happens in Python.
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=hash_token(plaintext), revoked_at__isnull=True, user__is_active=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if token is not None:
            token.last_used = now
            cls.objects.filter(pk=token.pk).update(last_used=now)
        return token

    @classmethod
    def has_expired(cls, plaintext: str) -> bool:
        """Whether this text is a token that would work but for its expiry: worth telling its holder."""
        return cls.objects.filter(
            key_hash=hash_token(plaintext),
            revoked_at__isnull=True,
            user__is_active=True,
            expires_at__lte=timezone.now(),
        ).exists()

    @classmethod
    def revoke_all(cls, user) -> int:
        return cls.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
