"""Creating, changing and deleting reports, with area assignment and the audit log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from samtrygg.analysis import geo
from samtrygg.areas import assignment
from samtrygg.areas.assignment import Containment, assign_reports
from samtrygg.audit import log

from . import aggregates, events
from .models import Report

AUDITED_FIELDS = ("occurred_at", "occurred_until", "category", "quantity", "description", "lat", "lon",
                  "place", "organization", "external_id")


def snapshot(report: Report) -> dict[str, Any]:
    return {name: getattr(report, name) for name in AUDITED_FIELDS}


def set_position(report: Report, *, lat: float | None = None, lon: float | None = None,
                 x: float | None = None, y: float | None = None) -> None:
    """Set both coordinate pairs from whichever is given (WGS84 lat/lon or SWEREF 99 TM x/y)."""
    if lat is not None and lon is not None:
        ex, ny = geo.wgs84_to_sweref(lon, lat)
        report.lat, report.lon, report.x, report.y = float(lat), float(lon), float(ex), float(ny)
    elif x is not None and y is not None:
        lo, la = geo.sweref_to_wgs84(x, y)
        report.lat, report.lon, report.x, report.y = float(la), float(lo), float(x), float(y)
    else:
        raise ValueError("a position needs lat/lon or x/y")


@transaction.atomic
def create_report(user, *, containment: Containment | None = None, **fields) -> Report:
    """Create a report with its area and place links, counts, audit entry and ``reports_created`` event.

    ``containment`` is what the form's check of the position found (areas and places around it); it is
    used if it was found for the position saved, else it is looked up again. The report returned carries
    ``area_codes``: its areas' codes, in the order the API lists them.
    """
    lat, lon = fields.pop("lat", None), fields.pop("lon", None)
    x, y = fields.pop("x", None), fields.pop("y", None)
    report = Report(**fields)
    if report.organization_id is None and user is not None:
        report.organization = user.organization
    if report.created_by_id is None and getattr(user, "is_authenticated", False):
        report.created_by = user
    set_position(report, lat=lat, lon=lon, x=x, y=y)
    report.save()
    if containment is None or not containment.applies_to(report.x, report.y):
        containment = assignment.containment(report.x, report.y)
    assignment.link_new_report(report, containment)
    report.area_codes = list(containment.area_codes.values())
    events.reports_created.send(sender=Report, report_ids=[report.pk])
    # Last: the week's cache version (one row every submission of the week updates) and the audit chain's
    # lock are held until COMMIT and serialise the writes; the less that runs after them, the more
    # submissions can be under way at once. (Always in this order, as every other write path takes them.)
    aggregates.touch([aggregates.week_of_moment(report.occurred_at)])
    log.record(user, "create", report, summary=str(report), changes=log.diff({}, snapshot(report)))
    return report


@transaction.atomic
def update_report(user, report: Report, **fields) -> Report:
    before = snapshot(report)
    lat, lon = fields.pop("lat", None), fields.pop("lon", None)
    for name, value in fields.items():
        setattr(report, name, value)
    moved = lat is not None and lon is not None and (lat, lon) != (report.lat, report.lon)
    if moved:
        set_position(report, lat=lat, lon=lon)
    with aggregates.tracking([report.pk]):  # time, category, organisation or quantity may change
        report.save()
    if moved:
        assign_reports([report.pk])  # keeps the counts itself
    changes = log.diff(before, snapshot(report))
    if changes:
        log.record(user, "update", report, summary=str(report), changes=changes)
    return report


@transaction.atomic
def delete_report(user, report: Report) -> None:
    """Soft delete: the report leaves lists and statistics but stays restorable and in the audit log."""
    report.deleted_at = timezone.now()
    report.deleted_by = user if getattr(user, "is_authenticated", False) else None
    with aggregates.tracking([report.pk]):
        report.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    log.record(user, "delete", report, summary=str(report))


@transaction.atomic
def restore_report(user, report: Report) -> None:
    report.deleted_at = None
    report.deleted_by = None
    with aggregates.tracking([report.pk]):
        report.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    log.record(user, "restore", report, summary=str(report))
