"""`Authorization: Token TOKEN`: the API's only way in. A browser session does not count, so a
page on another site cannot make a logged-in browser call the API (and CSRF does not apply)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyHeader

from .models import ApiToken

SCHEME = "Token"
# What a read-only token may send. Checked here, by method, rather than endpoint by endpoint: a
# write endpoint added later is closed to such tokens without anyone remembering to close it.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(APIKeyHeader):
    param_name = "Authorization"  # shown in the OpenAPI document as an API key in this header

    def authenticate(self, request: HttpRequest, key: str | None):
        if not key:
            raise AuthenticationError(message=f"Authentication needed: send 'Authorization: {SCHEME} TOKEN'.")
        scheme, _, plaintext = key.strip().partition(" ")
        plaintext = plaintext.strip()
        if scheme.lower() != SCHEME.lower() or not plaintext:
            raise AuthenticationError(message=f"Malformed Authorization header: expected '{SCHEME} TOKEN'.")
        token = ApiToken.authenticate(plaintext)
        if token is None:
            # Only someone holding the token learns that it expired: no secret is given away.
            expired = ApiToken.has_expired(plaintext)
            raise AuthenticationError(message="Token expired." if expired else "Invalid or revoked token.")
        if token.read_only and request.method not in READ_METHODS:
            raise HttpError(403, "This token is read-only: it may only read (GET), not change anything.")
        # The rest of the site (revisions' author, access rules) asks request.user.
        request.user = token.user
        request.api_token = token
        return token.user
