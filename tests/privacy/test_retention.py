"""Retention per category: free text and photos of old reports go, the reports (and counts) stay; idempotent,
audited, --dry-run changes nothing."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from samtrygg.audit.models import AuditEntry
from samtrygg.categories.models import Category
from samtrygg.privacy import retention
from samtrygg.reports import aggregates
from samtrygg.reports.models import Report, ReportPhoto
from tests.factories import make_report


def test_months_before_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    at = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert retention.months_before(at, 1) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert retention.months_before(at, 15) == dt.datetime(2024, 12, 31, 12, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_old_free_text_and_photos_go_reports_stay(reporter, capsys, django_capture_on_commit_callbacks):
    now = timezone.now()
    klotter = Category.objects.get(code="klotter")
    klotter.retain_text_months, klotter.retain_photos_months = 6, 12
    klotter.save()
    old = make_report(reporter, when=now - dt.timedelta(days=400), description="Ring 070-123 45 67")
    middle = make_report(reporter, when=now - dt.timedelta(days=250), description="Mellan")
    new = make_report(reporter, when=now - dt.timedelta(days=10), description="Ny")
    other = make_report(reporter, category_code="brand", when=now - dt.timedelta(days=900), description="Kvar")
    for r in (old, middle, new):
        ReportPhoto.objects.create(report=r, image=ContentFile(b"img", name="p.jpg"))
    old_file = Path(settings.MEDIA_ROOT) / old.photos.get().image.name

    call_command("apply_retention", "--dry-run")
    assert "would remove: klotter: free text removed from 2 reports" in capsys.readouterr().out
    assert Report.objects.get(pk=old.pk).description and ReportPhoto.objects.count() == 3

    with_before = AuditEntry.objects.count()
    old_week = aggregates.week_of(timezone.localtime(old.occurred_at).date())
    old_version, new_version = aggregates.fingerprint(old_week, old_week), aggregates.fingerprint(now.date(), None)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention")
    # cached pages quoting the old text (a week's notable reports) are recomputed; other weeks' stay
    assert aggregates.fingerprint(old_week, old_week) != old_version
    assert aggregates.fingerprint(now.date(), None) == new_version
    texts = dict(Report.objects.values_list("pk", "description"))
    assert texts[old.pk] == "" and texts[middle.pk] == "" and texts[new.pk] == "Ny" and texts[other.pk] == "Kvar"
    assert set(ReportPhoto.objects.values_list("report_id", flat=True)) == {middle.pk, new.pk}
    assert not old_file.exists()
    assert Report.objects.count() == 4  # counts and statistics unchanged
    entry = AuditEntry.objects.get(action="retention")
    assert entry.changes["texts"] == 2 and entry.changes["photos"] == 1
    assert AuditEntry.objects.count() == with_before + 1

    call_command("apply_retention")  # again: nothing left to do, nothing logged
    assert AuditEntry.objects.filter(action="retention").count() == 1
    assert "free text removed from 0 reports" in capsys.readouterr().out
