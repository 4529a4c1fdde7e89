"""Time the weekly signals for a whole municipality: SQL (weekly counts) and detection, separately.

Run against the demo database (about 3 years, 26 areas × 15 categories):

    cd /tmp/x && samtrygg demo --no-serve
    cd /tmp/x && /work/main/.venv/bin/python /work/main/benchmarks/weekly_signals.py

or against any database with DATABASE_URL. Prints one row per scenario: how many series and judged
weeks, how many weeks of history were fetched, and the seconds spent in SQL, in ``detect`` and in total
(including building the rows with their sentences). The reference in the same run is the raw database:
the plain COUNT(*) of the same links with no grouping, i.e. the cost of reading the rows at all.
"""

from __future__ import annotations

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samtrygg.settings")
    django.setup()
    from samtrygg.weekly import signal_service
    from samtrygg.weekly.counts import alive_links
    from samtrygg.weekly.weeks import IsoWeek

    last = IsoWeek.last_complete()
    scenarios = [("one week (the page)", last, last), ("4 weeks", last.shift(-3), last),
                 ("52 weeks (samtrygg signals)", last.shift(-51), last)]
    print(f"{'scenario':30} {'series':>6} {'weeks':>5} {'history':>7} {'rows read':>9} "
          f"{'raw count s':>11} {'SQL s':>7} {'detect s':>8} {'total s':>7}")
    for name, first, end in scenarios:
        t0 = time.perf_counter()
        start = first.shift(-signal_service.HISTORY_WEEKS)
        links = alive_links(start.start(), end.end())
        n_links = links.count()
        t_raw = time.perf_counter() - t0
        t0 = time.perf_counter()
        comp = signal_service.compute(first, end)
        total = time.perf_counter() - t0
        print(f"{name:30} {comp.series:6d} {comp.weeks:5d} {comp.history_weeks:7d} {n_links:9d} "
              f"{t_raw:11.3f} {comp.sql_seconds:7.3f} {comp.detect_seconds:8.3f} {total:7.3f}")
    alarms = [r for r in signal_service.signals_for_weeks(last.shift(-8), last) if r.alarm]
    print(f"\nalarms in the last 9 weeks: {len(alarms)}")
    for r in sorted(alarms, key=lambda r: (str(r.week), -r.score))[:15]:
        print(f"  {r.week}  {r.explanation}")


if __name__ == "__main__":
    sys.exit(main())
