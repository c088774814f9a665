"""`Authorization: Token TOKEN`: the API's only way in. A browser session does not count, so a
page on another site cannot make a logged-in browser call the API (and CSRF does not apply)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader

from .models import ApiToken

SCHEME = "Token"


class TokenAuth(APIKeyHeader):
    param_name = "Authorization"  # shown in the OpenAPI document as an API key in this header

    def authenticate(self, request: HttpRequest, key: str | None):
        if not key:
            raise AuthenticationError(message=f"Authentication needed: send 'Authorization: {SCHEME} TOKEN'.")
        scheme, _, plaintext = key.strip().partition(" ")
        if scheme.lower() != SCHEME.lower() or not plaintext.strip():
            raise AuthenticationError(message=f"Malformed Authorization header: expected '{SCHEME} TOKEN'.")
        token = ApiToken.authenticate(plaintext.strip())
        if token is None:
            raise AuthenticationError(message="Invalid or revoked token.")
        # The rest of the site (revisions' author, access rules) asks request.user.
        request.user = token.user
        request.api_token = token
        return token.user
