"""Paging. Reports use a keyset cursor (no COUNT(*), no OFFSET); the small tables use page numbers."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .errors import field_error

MAX_PAGE_SIZE = 1000


def read_page_size(request, default: int) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise field_error("page_size", _("Give a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE})
    return int(raw)


def page_size_parameter(default: int) -> dict:
    return {"name": "page_size", "required": False, "in": "query",
            "description": f"How many items per page (default {default}).",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}}


class ReportCursorPagination(pagination.BasePagination):
    """Newest first by (occurred_at, id), continued from an opaque cursor.

    Written here rather than using DRF's CursorPagination: that one positions on the first ordering field
    alone and skips the rows that share its value with an OFFSET, so a partner's import with thousands of
    reports at the same minute makes pages slower and slower. A keyset on (occurred_at, id) is exact and
    costs the same on every page (the occurred_at index does the work).
    """

    page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = read_page_size(request, self.page_size)
        after = self.decode(request.query_params.get("cursor"))
        queryset = queryset.order_by("-occurred_at", "-id")
        if after is not None:
            when, pk = after
            queryset = queryset.filter(Q(occurred_at__lt=when) | Q(occurred_at=when, id__lt=pk))
        rows = list(queryset[:size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.last = rows[-1] if rows else None
        return rows

    @staticmethod
    def encode(report) -> str:
        raw = json.dumps([report.occurred_at.isoformat(), report.pk]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(text: str | None):
        if text in (None, ""):
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            when, pk = json.loads(raw)
            moment = datetime.fromisoformat(when)
            if moment.tzinfo is None or isinstance(pk, bool) or not isinstance(pk, int):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise field_error("cursor", _("The cursor is not one this API gave out. Use the “next” link as it "
                                          "is.")) from None
        return moment, pk

    def get_next_link(self) -> str | None:
        if not self.has_next or self.last is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "cursor", self.encode(self.last))

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["next", "results"], "properties": {
            "next": {"type": "string", "nullable": True, "format": "uri",
                     "description": "The next page, or null on the last page."},
            "results": schema}}

    def get_schema_operation_parameters(self, view):
        return [{"name": "cursor", "required": False, "in": "query",
                 "description": "Where to continue: take it from the “next” link.", "schema": {"type": "string"}},
                page_size_parameter(self.page_size)]


class PagePagination(pagination.PageNumberPagination):
    """Page numbers with a total count, for tables that stay small (areas, categories, actions…)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return read_page_size(request, self.page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise field_error("page", _("Give a page number from 1."))
        return raw

    def get_schema_operation_parameters(self, view):
        return [{"name": "page", "required": False, "in": "query", "description": "Page number, from 1.",
                 "schema": {"type": "integer", "minimum": 1}}, page_size_parameter(self.page_size)]


def without_cursor(url: str) -> str:
    return remove_query_param(url, "cursor")
