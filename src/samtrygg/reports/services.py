"""Creating, changing and deleting reports, with area assignment and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from samtrygg.analysis import geo
from samtrygg.areas import assignment
from samtrygg.areas.assignment import Containment, assign_reports
from samtrygg.audit import log
from samtrygg.core import db_router
from samtrygg.core.group_commit import GroupCommit

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


@dataclass
class NewReport:
    """One report to create: its author, its fields (``lat``/``lon`` or ``x``/``y`` for the position) and what
    the form's check of the position found (if it did)."""

    user: Any
    fields: dict[str, Any]
    containment: Containment | None = None


def create_report(user, *, containment: Containment | None = None, **fields) -> Report:
    """Create a report with its area and place links, counts, audit entry and ``reports_created`` event.

    ``containment`` is what the form's check of the position found (areas and places around it); it is
    used if it was found for the position saved, else it is looked up again. The report returned carries
    ``area_codes``: its areas' codes, in the order the API lists them.
    """
    return create_reports([NewReport(user, fields, containment)])[0]


def submit_report(user, *, containment: Containment | None = None, **fields) -> Report:
    """:func:`create_report` for a submission on its own (the API's): submissions arriving at the same time in
    this process are created in one transaction (a group commit), each still checked, linked, counted and
    audited as its own, and each caller gets its report, or its own exception, once it is committed. Inside a
    transaction it is :func:`create_report` (another caller's rollback must not take this report with it)."""
    if transaction.get_connection().in_atomic_block:
        return create_report(user, containment=containment, **fields)
    report = SUBMISSIONS.submit(NewReport(user, fields, containment))
    db_router.note_write()
    return report


@transaction.atomic
def create_reports(items: list[NewReport]) -> list[Report]:
    """Create several reports (of one or several authors) in one transaction, each as :func:`create_report`
    does, in about as many statements as one."""
    reports = []
    for item in items:
        fields = dict(item.fields)
        lat, lon = fields.pop("lat", None), fields.pop("lon", None)
        x, y = fields.pop("x", None), fields.pop("y", None)
        report = Report(**fields)
        if report.organization_id is None and item.user is not None:
            report.organization = item.user.organization
        if report.created_by_id is None and getattr(item.user, "is_authenticated", False):
            report.created_by = item.user
        set_position(report, lat=lat, lon=lon, x=x, y=y)
        reports.append(report)
    Report.objects.bulk_create(reports)  # their ids come back (RETURNING, PostgreSQL and SQLite)
    found = []
    for item, report in zip(items, reports, strict=True):
        containment = item.containment
        if containment is None or not containment.applies_to(report.x, report.y):
            containment = assignment.containment(report.x, report.y)
        report.area_codes = list(containment.area_codes.values())
        found.append(containment)
    assignment.link_new_reports(reports, found)
    events.reports_created.send(sender=Report, report_ids=[report.pk for report in reports])
    # Last: the count buckets, the weeks' cache versions (one row every submission of a week updates) and the
    # audit chain's lock are held until COMMIT and serialise the writes; the less that runs after them, the
    # more submissions can be under way at once. (Always in this order, as every other write path takes them.)
    aggregates.record_created([(report, list(containment.area_codes))
                               for report, containment in zip(reports, found, strict=True)])
    aggregates.touch({aggregates.week_of_moment(report.occurred_at) for report in reports})
    log.append([log.entry(item.user, "create", report, summary=str(report), changes=log.diff({}, snapshot(report)))
                for item, report in zip(items, reports, strict=True)])
    return reports


#: The submissions of this process (:func:`submit_report`).
SUBMISSIONS: GroupCommit[NewReport, Report] = GroupCommit(create_reports)


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
