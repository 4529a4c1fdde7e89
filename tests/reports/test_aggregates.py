"""The pre-aggregated counts stay equal to a recount after random writes through every write path."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from samtrygg.analysis import geo
from samtrygg.api.bulk import check_and_import
from samtrygg.imports import importer
from samtrygg.imports.services import check_file
from samtrygg.reports import aggregates, services
from samtrygg.reports.models import Report, ReportCount
from tests.factories import CENTRE_X, CENTRE_Y, AreaFactory, OrganizationFactory, UserFactory, category, square
from tests.imports.helpers import csv_bytes

pytestmark = pytest.mark.django_db

CODES = ["klotter", "brand", "skadegorelse"]


def _lat_lon(x, y):
    lon, lat = geo.sweref_to_wgs84([x], [y])
    return float(lat[0]), float(lon[0])


def _assert_consistent():
    stored, fresh = aggregates.stored(), aggregates.recount()
    assert stored == fresh
    assert not ReportCount.objects.filter(n__lte=0).exists()


def test_buckets_are_local_iso_week_and_month():
    # Sunday 2025-03-30 22:30 UTC is Monday 31 March 00:30 CEST: week 14 (Monday 31 March), March.
    assert aggregates.buckets(datetime(2025, 3, 30, 22, 30, tzinfo=UTC)) == (
        datetime(2025, 3, 31).date(), datetime(2025, 3, 1).date())
    # Friday 2025-01-31 23:30 UTC is 1 February 00:30 (UTC+1): the week of Monday 27 January, February.
    assert aggregates.buckets(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)) == (
        datetime(2025, 1, 27).date(), datetime(2025, 2, 1).date())


def test_random_writes_through_every_path_match_a_recount():
    rng = random.Random(9)
    west = AreaFactory(code="west", geometry=square(CENTRE_X - 500, CENTRE_Y, 500))
    AreaFactory(code="east", geometry=square(CENTRE_X + 500, CENTRE_Y, 500))
    AreaFactory(code="city", geometry=square(CENTRE_X, CENTRE_Y, 1000), kind="municipality")
    orgs = [OrganizationFactory(), OrganizationFactory()]
    users = [UserFactory(organization=o) for o in orgs]
    start = datetime(2025, 3, 1, tzinfo=UTC)

    def when():
        return start + timedelta(hours=rng.randrange(24 * 120))

    def where():
        return CENTRE_X + rng.uniform(-990, 990), CENTRE_Y + rng.uniform(-990, 990)

    def file_rows(n, prefix):
        rows = []
        for i in range(n):
            lat, lon = _lat_lon(*where())
            rows.append({"external_id": f"{prefix}{rng.randrange(12)}-{i % 3}",
                         "occurred_at": when().isoformat(), "category": rng.choice(CODES),
                         "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "quantity": str(rng.randint(1, 4))})
        return rows

    for _step in range(40):
        alive = list(Report.objects.filter(deleted_at__isnull=True))
        dead = list(Report.objects.filter(deleted_at__isnull=False))
        op = rng.choice(["create", "create", "edit", "move", "delete", "restore", "file", "api", "polygon"])
        if op == "create" or not alive and op in ("edit", "move", "delete"):
            x, y = where()
            services.create_report(rng.choice(users), category=category(rng.choice(CODES)), occurred_at=when(),
                                   x=x, y=y, quantity=rng.randint(1, 3))
        elif op == "edit":
            services.update_report(users[0], rng.choice(alive), category=category(rng.choice(CODES)),
                                   occurred_at=when(), quantity=rng.randint(1, 5), organization=rng.choice(orgs))
        elif op == "move":
            lat, lon = _lat_lon(*where())
            services.update_report(users[0], rng.choice(alive), lat=lat, lon=lon)
        elif op == "delete":
            services.delete_report(users[0], rng.choice(alive))
        elif op == "restore" and dead:
            services.restore_report(users[0], rng.choice(dead))
        elif op == "file":  # new rows and re-imports of earlier external ids (updates, moves)
            v = check_file(csv_bytes(file_rows(rng.randint(1, 8), "f")), "r.csv", organization=orgs[0])
            importer.import_validated(v)
        elif op == "api":
            rows = [{k: (float(v) if k in ("lat", "lon") else int(v) if k == "quantity" else v)
                     for k, v in r.items()} for r in file_rows(rng.randint(1, 5), "a")]
            result = check_and_import(users[1], rows)
            assert not result.errors
        elif op == "polygon":  # an area's outline changes: its links and counts are recomputed
            west.set_geometry(square(CENTRE_X - 500 + rng.uniform(-300, 300), CENTRE_Y, rng.uniform(200, 600)))
            west.save()
        _assert_consistent()
    assert Report.objects.count() > 20
    assert ReportCount.objects.count() > 10


def test_rebuild_counts_command_repairs_a_broken_table(capsys):
    AreaFactory()
    for i in range(3):
        services.create_report(UserFactory(), category=category("klotter"),
                               occurred_at=datetime(2025, 5, 1 + i, tzinfo=UTC), x=CENTRE_X, y=CENTRE_Y)
    call_command("rebuild_counts", "--check")
    ReportCount.objects.update(n=99)
    with pytest.raises(CommandError, match="differ"):
        call_command("rebuild_counts", "--check")
    call_command("rebuild_counts")
    assert "Rebuilt" in capsys.readouterr().out
    _assert_consistent()
    assert sum(ReportCount.objects.values_list("n", flat=True)) == 3


# ---- week versions: caches of results over a window of weeks follow exactly the changes in those weeks

def _window(day):
    """(Monday, Sunday) of the week of ``day`` as dates: a one-week window."""
    monday = aggregates.week_of(day)
    return monday, monday + timedelta(days=6)


def test_a_change_raises_the_versions_of_its_weeks_only():
    AreaFactory(code="city", geometry=square(CENTRE_X, CENTRE_Y, 1000))
    user = UserFactory()
    old, new = datetime(2025, 3, 5, 12, tzinfo=UTC), datetime(2025, 6, 4, 12, tzinfo=UTC)
    old_week, new_week = _window(old.date()), _window(new.date())

    def versions():
        return aggregates.fingerprint(*old_week), aggregates.fingerprint(*new_week), aggregates.fingerprint()

    v0 = versions()
    report = services.create_report(user, category=category("klotter"), occurred_at=new, x=CENTRE_X, y=CENTRE_Y)
    v1 = versions()
    assert v1[0] == v0[0] and v1[1] != v0[1] and v1[2] != v0[2]
    services.update_report(user, report, description="Nu med beskrivning")  # no count changes
    v2 = versions()
    assert v2[0] == v1[0] and v2[1] != v1[1]
    services.update_report(user, report, occurred_at=old)  # moved back in time: both weeks
    v3 = versions()
    assert v3[0] != v2[0] and v3[1] != v2[1]
    services.delete_report(user, report)
    v4 = versions()
    assert v4[0] != v3[0] and v4[1] == v3[1]


def test_reports_in_no_area_and_imports_raise_their_weeks():
    day = datetime(2025, 6, 4, 12, tzinfo=UTC)
    week = _window(day.date())
    before = aggregates.fingerprint(*week)
    services.create_report(UserFactory(), category=category("klotter"), occurred_at=day, x=CENTRE_X, y=CENTRE_Y)
    assert aggregates.fingerprint(*week) != before  # no area at all: still on the map and in the list
    AreaFactory(code="city", geometry=square(CENTRE_X, CENTRE_Y, 1000))  # the importer needs one
    before = aggregates.fingerprint(*week)
    lat, lon = _lat_lon(CENTRE_X, CENTRE_Y)
    v = check_file(csv_bytes([{"external_id": "x1", "occurred_at": day.isoformat(), "category": "brand",
                               "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "quantity": "1"}]), "r.csv",
                   organization=OrganizationFactory())
    assert v.valid == 1
    importer.import_validated(v)
    assert aggregates.fingerprint(*week) != before


def test_wholesale_changes_raise_every_window():
    area = AreaFactory(code="city", geometry=square(CENTRE_X, CENTRE_Y, 1000))
    week = _window(datetime(2019, 1, 9).date())  # nothing reported then
    before = aggregates.fingerprint(*week)
    area.set_geometry(square(CENTRE_X, CENTRE_Y, 800))
    area.save()
    after_outline = aggregates.fingerprint(*week)
    assert after_outline != before
    aggregates.rebuild()
    assert aggregates.fingerprint(*week) != after_outline


@pytest.mark.skipif(__import__("django.db").db.connection.vendor != "postgresql",
                    reason="SQLite lets one writer at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_and_edits_of_one_week_and_bucket_never_deadlock_and_keep_the_counts():
    """A new report and an edit in the same week and count bucket take the same rows (the bucket, the week's
    version, the audit lock): in the same order, so neither waits for the other in a circle. Two edits of
    one report at once: the second waits for the first, so its difference is taken from what is there."""
    import threading

    from django.db import connection

    AreaFactory(code="city", geometry=square(CENTRE_X, CENTRE_Y, 1000))
    user = UserFactory()
    day = datetime(2025, 6, 4, 12, tzinfo=UTC)
    existing = [services.create_report(user, category=category("klotter"), occurred_at=day, x=CENTRE_X,
                                       y=CENTRE_Y) for _ in range(3)]
    errors = []

    def create():
        try:
            for i in range(12):
                services.create_report(user, category=category("klotter"), occurred_at=day + timedelta(hours=i),
                                       x=CENTRE_X, y=CENTRE_Y)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def edit():
        try:
            for i in range(12):
                report = Report.objects.get(pk=existing[i % 3].pk)
                services.update_report(user, report, quantity=1 + i % 4, description=f"ändrad {i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (create, edit, create, edit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    _assert_consistent()
    assert Report.objects.count() == 3 + 24
