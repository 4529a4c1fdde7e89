"""Reporting an incident: the form (create and edit), the live personal-data check, the page after saving,
and photos served only to users who may see the report."""

from __future__ import annotations

import mimetypes
import secrets
import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samtrygg.areas.models import Place
from samtrygg.audit import log

from . import access, services
from .forms import ReportForm, initial_for, now_local_input, pii_kinds, pii_segments, place_position
from .models import Report, ReportPhoto, SubmissionToken
from .nearby import RADIUS_M, WEEKS, nearby_reports

TOKEN_MAX_AGE = timedelta(days=2)


# ---- plain functions (tested directly) ---------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(24)


def already_submitted(user, token: str) -> Report | None:
    """The report a token was already used for, if any."""
    if not token:
        return None
    first = (SubmissionToken.objects.filter(token=token, user=user, report__isnull=False)
             .select_related("report").first())
    return first.report if first else None


class DuplicateSubmission(Exception):
    def __init__(self, report: Report | None):
        self.report = report


def save_new_report(user, form: ReportForm, photos) -> Report:
    """Create the report with its photos, once per token. Raises DuplicateSubmission for a repeated token."""
    token = form.cleaned_data.get("token") or ""
    try:
        with transaction.atomic():
            claim = SubmissionToken.objects.create(token=token, user=user) if token else None
            report = services.create_report(user, source="web", containment=form.containment,
                                            **form.report_fields())
            add_photos(user, report, photos)
            if claim is not None:
                claim.report = report
                claim.save(update_fields=["report"])
    except IntegrityError:
        # A concurrent post with the same token won the race; it has committed by now.
        raise DuplicateSubmission(already_submitted(user, token)) from None
    SubmissionToken.objects.filter(user=user, created_at__lt=timezone.now() - TOKEN_MAX_AGE).delete()
    return report


def add_photos(user, report: Report, photos) -> None:
    for upload in photos:
        ext = (getattr(upload, "samtrygg_image_format", "") or "jpg").lower().replace("jpeg", "jpg")
        photo = ReportPhoto(report=report, uploaded_by=user)
        photo.image.save(f"{uuid.uuid4().hex}.{ext}", upload, save=True)
    if photos and report.pk:
        log.record(user, "update", report, summary=str(report),
                   changes={"photos": [None, [p.name for p in photos]]})


def _place_positions() -> dict[str, list[float]]:
    """Where each active place puts the marker, for the map script."""
    out = {}
    for place in Place.objects.filter(is_active=True).only("id", "geometry_sweref"):
        lat, lon = place_position(place)
        out[str(place.pk)] = [round(lat, 6), round(lon, 6)]
    return out


def _form_context(request, form, **extra):
    return {
        "form": form,
        "place_positions": _place_positions(),
        "photos_dropped": bool(request.FILES) and form.is_bound and not form.is_valid(),
        **extra,
    }


def _visible_report_or_404(user, pk) -> Report:
    return get_object_or_404(access.visible_reports(user).select_related("category"), pk=pk)


# ---- views ----------------------------------------------------------------------------------------

@login_required
def create(request):
    if not access.can_report(request.user):
        raise PermissionDenied
    if request.method == "POST":
        earlier = already_submitted(request.user, request.POST.get("token", ""))
        if earlier is not None:
            messages.info(request, _("This report was already saved; it was not saved twice."))
            return redirect("reports:saved", pk=earlier.pk)
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = save_new_report(request.user, form, form.cleaned_data["photos"])
            except DuplicateSubmission as dup:
                messages.info(request, _("This report was already saved; it was not saved twice."))
                if dup.report is None:
                    return redirect("reports:create")
                return redirect("reports:saved", pk=dup.report.pk)
            messages.success(request, _("Thank you! The report is saved."))
            return redirect("reports:saved", pk=report.pk)
    else:
        form = ReportForm(initial={"occurred_at": now_local_input(), "quantity": 1, "token": new_token()})
    return render(request, "reports/create.html", _form_context(request, form))


@login_required
def edit(request, pk):
    report = _visible_report_or_404(request.user, pk)
    if not access.can_edit(request.user, report):
        raise PermissionDenied
    photos = list(report.photos.order_by("uploaded_at", "pk"))
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, report=report)
        if form.is_valid():
            remove = {int(v) for v in request.POST.getlist("remove_photo") if v.isdigit()}
            with transaction.atomic():
                services.update_report(request.user, report, **form.report_fields())
                add_photos(request.user, report, form.cleaned_data["photos"])
                removed = [p for p in photos if p.pk in remove]
                for photo in removed:
                    photo.delete()
                if removed:
                    log.record(request.user, "update", report, summary=str(report),
                               changes={"photos": [[p.image.name for p in removed], None]})
            for photo in removed:
                photo.image.delete(save=False)
            messages.success(request, _("The changes are saved."))
            return redirect("reports:detail", pk=report.pk)
    else:
        form = ReportForm(initial=initial_for(report), report=report)
    return render(request, "reports/edit.html", _form_context(request, form, report=report, photos=photos))


@login_required
def saved(request, pk):
    report = _visible_report_or_404(request.user, pk)
    nearby = nearby_reports(request.user, report)
    points = [{"lat": report.lat, "lon": report.lon, "label": str(report.category), "own": True}] + [
        {"lat": n.report.lat, "lon": n.report.lon, "own": False,
         "label": f"{n.report.category} · {timezone.localtime(n.report.occurred_at):%Y-%m-%d %H:%M} · "
                  f"{n.distance_m} m"}
        for n in nearby
    ]
    return render(request, "reports/saved.html", {
        "report": report, "nearby": nearby, "points": points, "radius_m": RADIUS_M, "weeks": WEEKS,
        "can_edit": access.can_edit(request.user, report),
    })


@login_required
@require_POST
def check_text(request):
    """The live personal-data check (htmx): a small fragment, empty when the text looks clean."""
    if not access.can_report(request.user):
        raise PermissionDenied
    text = request.POST.get("description", "")[:5000]
    return render(request, "reports/_pii_warning.html", {
        "segments": pii_segments(text) if text else [], "kinds": pii_kinds(text) if text else [],
        "live": True,
    })


@login_required
def photo(request, pk, photo_id):
    report = _visible_report_or_404(request.user, pk)
    item = get_object_or_404(ReportPhoto, pk=photo_id, report=report)
    try:
        handle = item.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The photo file is missing.")) from None
    content_type = mimetypes.guess_type(item.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


def photo_url(photo: ReportPhoto) -> str:
    return reverse("reports:photo", args=[photo.report_id, photo.pk])
