"""Time the open-data table (every complete month × district × category) against Django's own TruncMonth.

Run against the demo database (about 3 years, 25 districts):

    cd /tmp/x && samtrygg demo --no-serve
    cd /tmp/x && /path/to/.venv/bin/python /path/to/benchmarks/opendata_counts.py

or against any database with DATABASE_URL. The reference in the same run is the obvious query:
``TruncMonth("report__occurred_at", tzinfo=Europe/Stockholm)`` grouped in the database. Both must give the
same counts (checked); the table prints the seconds of each, best of three, and how many rows were read.
"""

from __future__ import annotations

import os
import sys
import time
from zoneinfo import ZoneInfo


def best_of(fn, n: int = 3):
    best, result = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samtrygg.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from samtrygg.opendata import counts
    from samtrygg.reports.models import ReportArea

    categories = counts.published_categories()
    areas = counts.published_areas()
    end = counts.Month.last_complete()
    scenarios = [("last month", end, end), ("last 12 months", end.shift(-11), end),
                 ("everything (the CSV)", counts.first_month(categories) or end, end)]
    stockholm = ZoneInfo("Europe/Stockholm")
    print(f"database: {connection.vendor}; {len(areas)} areas × {len(categories)} categories\n")
    print(f"{'scenario':24} {'months':>6} {'rows read':>9} {'ours s':>8} {'TruncMonth s':>12} {'same':>5}")
    for name, start, last in scenarios:
        ours_s, ours = best_of(lambda s=start, e=last: counts.month_counts(s, e, areas, categories))

        def reference(s=start, e=last):
            rows = (ReportArea.objects
                    .filter(area__in=areas, report__deleted_at__isnull=True, report__category__in=categories,
                            report__occurred_at__gte=s.start(), report__occurred_at__lt=e.shift(1).start())
                    .annotate(month=TruncMonth("report__occurred_at", tzinfo=stockholm))
                    .values_list("area_id", "report__category_id", "month").annotate(n=Count("report_id"))
                    .order_by())
            return {(a, c, s.months_until(counts.Month(m.year, m.month))): n for a, c, m, n in rows}

        ref_s, ref = best_of(reference)
        n_rows = sum(ours.values())
        print(f"{name:24} {start.months_until(last) + 1:6d} {n_rows:9d} {ours_s:8.3f} {ref_s:12.3f} "
              f"{'yes' if ours == ref else 'NO':>5}")


if __name__ == "__main__":
    sys.exit(main())
