"""A user's API tokens are revoked when their password changes, however it changes: the password
page, the admin, `manage.py changepassword`, or `set_password()` and `save()` in code. Whoever
changes a password because it may have leaked expects the tokens made with it to stop working too.

The stored hash is compared before and after the save, so a save that leaves the password alone
(a login's last_login, a new e-mail address) keeps them. The one exception is Django's own rehash
at login, when the hasher or its iterations changed: a new hash of the same password.
`QuerySet.update(password=...)` sends no signal and is not seen.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, is_password_usable
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import ApiToken

FLAG = "_api_tokens_to_revoke"


def _outdated(encoded: str) -> bool:
    """Whether Django would hash this password again at the next login (see hashers.verify_password)."""
    try:
        hasher = identify_hasher(encoded)
    except ValueError:  # unusable, or a hasher no longer installed: Django never rehashes these
        return False
    preferred = get_hasher("default")
    return hasher.algorithm != preferred.algorithm or preferred.must_update(encoded)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api_tokens_password_pre_save")
def _note_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    setattr(instance, FLAG, False)
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return  # a fixture being loaded, a new user (no tokens yet), or a save that leaves the password out
    before = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if before is None or before == instance.password:
        return
    setattr(instance, FLAG, not _is_rehash(instance, before, update_fields))


def _is_rehash(instance, before: str, update_fields) -> bool:
    """Django's rehash at login (AbstractBaseUser.check_password): it saves the password field alone, with
    a usable hash, and clears the raw password that set_password() keeps until a save."""
    return (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(instance, "_password", None) is None
        and is_password_usable(instance.password)
        and _outdated(before)
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api_tokens_password_post_save")
def _revoke_after_password_change(sender, instance, created=False, **kwargs):
    # After the save, not before: a save that fails leaves the tokens as they were.
    if getattr(instance, FLAG, False):
        setattr(instance, FLAG, False)
        ApiToken.revoke_all(instance)
