"""Downloading a saved quarterly analysis as PDF or JSON: rendered from its snapshot only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from samtrygg.audit import log

from . import documents
from .views import _analysis


@login_required
def document(request, pk, fmt):
    analysis = _analysis(request, pk)
    if fmt not in documents.WEB_FORMATS:
        raise Http404(_("Unknown document format."))
    doc = documents.build(analysis.snapshot, fmt, analysis=analysis)
    log.record(request.user, "export", analysis, summary=f"quarterly analysis {analysis.pk} as {fmt}")
    response = HttpResponse(doc.content, content_type=doc.content_type)
    disposition = "inline" if fmt == "json" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{doc.filename}"'
    return response
