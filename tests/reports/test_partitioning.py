"""`samtrygg partition-reports`: the reports table range-partitioned by occurrence time on PostgreSQL.

The conversion runs inside the test's transaction, which is rolled back afterwards (PostgreSQL's DDL is
transactional), so the test database is a scratch copy for the duration of one test and the other tests see the
ordinary table."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from samtrygg.reports import partitioning
from samtrygg.reports.models import Report, ReportArea
from tests.factories import make_report

STHLM = ZoneInfo("Europe/Stockholm")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitioning is PostgreSQL's")


def test_unique_indexes_get_the_partition_key_and_others_stay():
    unique = ("CREATE UNIQUE INDEX u ON public.reports_report USING btree (organization_id, external_id) "
              "WHERE (external_id IS NOT NULL)")
    assert partitioning.with_partition_key(unique) == (
        "CREATE UNIQUE INDEX u ON public.reports_report USING btree (organization_id, external_id, occurred_at) "
        "WHERE (external_id IS NOT NULL)")
    plain = "CREATE INDEX i ON public.reports_report USING btree (x, y)"
    assert partitioning.with_partition_key(plain) == plain
    has_key = "CREATE UNIQUE INDEX k ON public.reports_report USING btree (lower((description)::text), occurred_at)"
    assert partitioning.with_partition_key(has_key) == has_key


def test_years_run_from_the_first_report_to_next_year():
    cat = partitioning.Catalogue([], [], [], [], 2019, 2024)
    today = datetime(2026, 3, 1).date()
    assert list(partitioning.years_to_create(cat, first=None, last=None, today=today)) == list(range(2019, 2028))
    assert list(partitioning.years_to_create(cat, first=2023, last=2024, today=today)) == [2023, 2024]
    with pytest.raises(partitioning.PartitioningError, match="--last-year 2020"):
        partitioning.years_to_create(cat, first=2023, last=2020, today=today)


@pytest.mark.django_db
def test_on_sqlite_the_command_says_it_needs_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite message")
    with pytest.raises(CommandError, match="needs PostgreSQL; this database is sqlite"):
        call_command("partition_reports", "--sql")


@postgres_only
@pytest.mark.django_db
def test_partitioned_reports_keep_data_indexes_and_queries_and_the_planner_prunes(client, coordinator, area):
    old = make_report(coordinator, when=datetime(2023, 12, 31, 23, 30, tzinfo=STHLM), external_id="A-1")
    may = [make_report(coordinator, when=datetime(2024, 5, d, 12, tzinfo=STHLM), description=f"maj {d}")
           for d in (2, 3)]
    new_year = make_report(coordinator, when=datetime(2024, 1, 1, 0, 30, tzinfo=STHLM))  # 2023-12-31 23:30 UTC
    assert ReportArea.objects.filter(report=old).exists()

    out = StringIO()
    call_command("partition_reports", "--sql", "--first-year", "2023", "--last-year", "2025", stdout=out)
    printed = out.getvalue()
    assert "PARTITION BY RANGE (occurred_at)" in printed and "reports_report_y2024" in printed
    with connection.cursor() as cursor:
        assert not partitioning.is_partitioned(cursor)  # --sql changes nothing

    call_command("partition_reports", "--first-year", "2023", "--last-year", "2025", stdout=StringIO())
    with connection.cursor() as cursor:
        assert partitioning.is_partitioned(cursor)
        cursor.execute("SELECT tableoid::regclass::text, id FROM reports_report ORDER BY id")
        placed = dict((pk, part) for part, pk in cursor.fetchall())
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'reports_report'")
        indexes = " ".join(row[0] for row in cursor.fetchall())
    # Stockholm's calendar decides the year: half past midnight on New Year's Day is 2024, though 2023 in UTC.
    assert placed == {old.pk: "reports_report_y2023", may[0].pk: "reports_report_y2024",
                      may[1].pk: "reports_report_y2024", new_year.pk: "reports_report_y2024"}
    assert "(organization_id, external_id, occurred_at)" in indexes and "(category_id, occurred_at)" in indexes

    # The app works on it: new ids continue, reading, the list page, editing across partitions, deleting.
    new = make_report(coordinator, when=datetime(2030, 1, 1, tzinfo=STHLM))  # beyond the years: default partition
    assert new.pk > new_year.pk
    client.force_login(coordinator)
    response = client.get("/reports/?q=maj")
    assert response.status_code == 200 and "maj 3" in response.content.decode()
    Report.objects.filter(pk=may[0].pk).update(occurred_at=datetime(2025, 2, 1, tzinfo=STHLM))  # moves partition
    assert Report.objects.get(pk=may[0].pk).occurred_at.year == 2025
    old.delete()  # Django performs the cascade to the report's area links (no database foreign key any more)
    assert not ReportArea.objects.filter(report_id=old.pk).exists()

    may_window = Report.objects.filter(occurred_at__gte=datetime(2024, 5, 1, tzinfo=STHLM),
                                       occurred_at__lt=datetime(2024, 6, 1, tzinfo=STHLM))
    assert may_window.count() == 1
    plan = may_window.explain()
    assert "reports_report_y2024" in plan
    assert "reports_report_y2023" not in plan and "reports_report_y2025" not in plan
    assert "reports_report_default" not in plan

    # Run again: already partitioned, adds only the missing yearly partitions.
    out = StringIO()
    call_command("partition_reports", "--last-year", "2026", "--first-year", "2023", stdout=out)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('reports_report_y2026') IS NOT NULL")
        assert cursor.fetchone()[0]
