"""`samtrygg generate-scale`: load a large synthetic city through the importer (for the scale benchmarks)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from samtrygg.areas.models import Area
from samtrygg.demo import scale


class Command(BaseCommand):
    help = ("Load a large synthetic city for the scale benchmarks: the demo city's generator tiled to AREAS "
            "districts, YEARS years up to END and about REPORTS reports, loaded through the normal import path "
            "(validation, area assignment, pre-aggregated counts). Prints the rows per second.")

    def add_arguments(self, parser):
        parser.add_argument("--areas", type=int, default=100, help="District areas (default 100).")
        parser.add_argument("--years", type=int, default=10, help="Years of reports (default 10).")
        parser.add_argument("--reports", type=int, default=5_000_000, help="Reports in all (default 5 000 000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--end", default=None,
                            help="Last day (YYYY-MM-DD, UTC midnight; default today). Use the same end and seed "
                                 "for databases that are to be compared.")

    def handle(self, *args, areas, years, reports, seed, end, **options):
        if not 1 <= areas <= 10_000 or not 1 <= years <= 50 or reports < 0:
            raise CommandError("--areas must be 1–10 000, --years 1–50 and --reports 0 or more.")
        try:
            end_at = dt.datetime.fromisoformat(end).replace(tzinfo=dt.UTC) if end else None
        except ValueError:
            raise CommandError(f"--end must be a date like 2026-12-01, not “{end}”.") from None
        if Area.objects.filter(code=scale.CITY_CODE).exists():
            raise CommandError("This database already holds the scale city; use a fresh database.")
        self.stdout.write(f"Loading about {reports:,} reports in {areas} areas over {years} years …")

        def progress(done: scale.Progress, n: int) -> None:
            self.stdout.write(f"  chunk {done.chunks}: {n:,} reports; {done.reports:,} in all, "
                              f"{done.rate:,.0f} reports/s")
            self.stdout.flush()

        done = scale.generate_scale(areas=areas, years=years, reports=reports, seed=seed, end=end_at,
                                    progress=progress)
        self.stdout.write(f"Loaded {done.reports:,} reports in {done.seconds:,.0f} s "
                          f"({done.rate:,.0f} reports/s through the importer).")
