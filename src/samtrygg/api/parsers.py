"""The API reads JSON only, of a bounded size, strictly (no NaN or Infinity, which are not JSON)."""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from .errors import RequestTooLarge


def max_body_bytes() -> int:
    return settings.SAMTRYGG_API_MAX_BODY_BYTES


def _no_constants(name):
    raise ValueError(_("%(name)s is not a JSON value") % {"name": name})


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = RequestTooLarge(_("The request body is larger than %(n)d bytes.") % {"n": limit})
        try:
            if declared and int(declared) > limit:
                raise too_large
        except ValueError:
            pass
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise too_large
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(data, encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(_("The request body is not UTF-8 text.")) from None
        try:
            return json.loads(text, parse_constant=_no_constants)
        except ValueError as exc:
            raise exceptions.ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) \
                from None
