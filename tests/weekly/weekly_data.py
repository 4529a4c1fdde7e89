"""Fast test data for the weekly picture: reports bulk-inserted with their area links (no per-report
service calls), so two years of weekly series take milliseconds."""

from __future__ import annotations

from datetime import datetime

from samtrygg.reports import aggregates
from samtrygg.reports.models import Report, ReportArea
from tests.factories import CENTRE_X, CENTRE_Y, category


def bulk_reports(items, *, organization, areas) -> list[Report]:
    """``items``: iterable of (occurred_at aware datetime, category code) or dicts with extra fields.
    Every report is linked to every area in ``areas`` (e.g. a district and its municipality)."""
    cats: dict[str, object] = {}
    objs = []
    for item in items:
        if isinstance(item, dict):
            fields = dict(item)
            when, code = fields.pop("when"), fields.pop("category", "klotter")
        else:
            when, code = item
            fields = {}
        if code not in cats:
            cats[code] = category(code)
        assert isinstance(when, datetime) and when.tzinfo is not None
        objs.append(Report(organization=fields.pop("organization", organization), occurred_at=when,
                           category=cats[code], lat=fields.pop("lat", 59.858), lon=fields.pop("lon", 17.639),
                           x=fields.pop("x", CENTRE_X), y=fields.pop("y", CENTRE_Y), **fields))
    created = Report.objects.bulk_create(objs, batch_size=2000)
    ReportArea.objects.bulk_create([ReportArea(report=r, area=a) for r in created for a in areas],
                                   batch_size=2000)
    aggregates.record_new([r.pk for r in created])  # what every write path does
    return created
