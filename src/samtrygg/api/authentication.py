"""DRF authentication with partner tokens: ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``.

A request without that header falls through to the next class (the browser session, with CSRF); a request
with the header and a key that is malformed, unknown, revoked or expired is refused with 401, never
treated as anonymous.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import tokens

KEYWORDS = ("token", "bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the key after the word: “Authorization: Token <key>” or “Authorization: Bearer <key>”."),
                code="malformed_token")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = tokens.authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The API key is not valid: it is unknown, revoked or expired."), code="invalid_token")
        request.api_token = token
        return token.service_user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "samtrygg.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http", "scheme": "bearer", "bearerFormat": "st_<prefix>_<secret>",
            "description": "An API key made by an organisation administrator on the API token page. "
                           "Send it as `Authorization: Bearer <key>` (or `Authorization: Token <key>`).",
        }
