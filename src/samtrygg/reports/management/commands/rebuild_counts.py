"""`samtrygg rebuild-counts`: recompute the pre-aggregated report counts from the reports."""

import time

from django.core.management.base import BaseCommand, CommandError

from samtrygg.reports import aggregates


class Command(BaseCommand):
    help = "Recompute the pre-aggregated report counts (area × category × organisation × week) from the reports."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only compare the stored counts with a recount; exit 1 if they differ.")

    def handle(self, *args, check=False, **options):
        if check:
            stored, fresh = aggregates.stored(), aggregates.recount()
            wrong = {k for k in stored.keys() | fresh.keys() if stored.get(k) != fresh.get(k)}
            if wrong:
                raise CommandError(f"{len(wrong)} of {len(fresh)} buckets differ from a recount; "
                                   "run `samtrygg rebuild-counts`.")
            self.stdout.write(f"The stored counts match a recount ({len(fresh)} buckets).")
            return
        start = time.perf_counter()
        n = aggregates.rebuild()
        self.stdout.write(f"Rebuilt {n} buckets in {time.perf_counter() - start:.1f} s.")
