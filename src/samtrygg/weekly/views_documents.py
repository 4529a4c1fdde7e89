"""Downloading the weekly picture as PDF, XLSX or JSON (the page's download links).

Same permission as the page (any logged-in user) and the same query parameters: ``area`` (code),
``category`` (id, repeatable), ``organization`` (id). The document holds what ``build_picture`` gives
this user, so it never shows a report the user may not see in detail.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from samtrygg.accounts.models import Organization
from samtrygg.areas.models import Area
from samtrygg.audit import log
from samtrygg.categories.models import Category

from . import documents
from .weeks import IsoWeek, WeekError


class BadFilter(ValueError):
    pass


def document_filters(params) -> dict:
    """``area``/``category``/``organization`` query parameters as objects; BadFilter names what is wrong."""
    filters: dict = {"area": None, "categories": None, "organization": None}
    code = (params.get("area") or "").strip()
    if code:
        filters["area"] = Area.objects.filter(code=code).first()
        if filters["area"] is None:
            raise BadFilter(_("area: no area has the code “%(code)s”.") % {"code": code})
    raw = [c.strip() for c in params.getlist("category") if c.strip()]
    if raw:
        if not all(c.isdigit() for c in raw):
            raise BadFilter(_("category: give category ids (whole numbers)."))
        categories = list(Category.objects.filter(pk__in=[int(c) for c in raw]))
        if len(categories) != len(set(raw)):
            raise BadFilter(_("category: an unknown category was asked for."))
        filters["categories"] = categories
    org = (params.get("organization") or "").strip()
    if org:
        found = Organization.objects.filter(pk=int(org)).first() if org.isdigit() else None
        if found is None:
            raise BadFilter(_("organization: no organisation has the id “%(id)s”.") % {"id": org})
        filters["organization"] = found
    return filters


@login_required
def document(request, week, fmt):
    if fmt not in documents.WEB_FORMATS:
        raise Http404(_("Unknown document format."))
    try:
        iso = IsoWeek.parse(week)
    except WeekError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    if iso.is_future():
        return HttpResponseBadRequest(_("%(week)s is in the future.") % {"week": iso},
                                      content_type="text/plain; charset=utf-8")
    try:
        filters = document_filters(request.GET)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    doc = documents.build(request.user, iso, fmt, **filters)
    area = filters["area"]
    log.record(request.user, "export", object_type="weekly", object_id=str(iso),
               summary=f"{fmt}, week {iso}, area {area.code if area else '-'}, "
                       f"categories {','.join(c.code for c in filters['categories'] or []) or '-'}, "
                       f"organisation {filters['organization'].code if filters['organization'] else '-'}")
    response = HttpResponse(doc.content, content_type=doc.content_type)
    disposition = "inline" if fmt == "json" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{doc.filename}"'
    return response
