"""API tokens: only a hash of each is stored, so a leaked database holds no usable token."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX_LENGTH = 8


def hash_token(plaintext: str) -> str:
    # The token is 256 random bits: a plain sha256 is enough, no salt or slow hash needed.
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="api_tokens", on_delete=models.CASCADE)
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False, help_text="the token's start, to recognise it")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'}, {self.user})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:
        """A new token for `user`: (the stored row, the plaintext, which is shown once and kept nowhere)."""
        plaintext = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name.strip()[:100], key_hash=hash_token(plaintext), prefix=plaintext[:PREFIX_LENGTH]
        )
        return token, plaintext

    @classmethod
    def authenticate(cls, plaintext: str) -> ApiToken | None:
        """The live token with this text (of an active user), or None; records when it was used."""
        if not plaintext:
            return None
        # Looked up by its hash through a unique index: no comparison of secrets happens in Python.
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=hash_token(plaintext), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is not None:
            token.last_used = timezone.now()
            cls.objects.filter(pk=token.pk).update(last_used=token.last_used)
        return token

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
