"""`samtrygg partition-reports`: range-partition the reports table by occurrence time (PostgreSQL only).

    samtrygg partition-reports --sql            print the statements, change nothing
    samtrygg partition-reports                  convert (one transaction; the table is locked while rows are copied)
    samtrygg partition-reports --last-year 2030 on a partitioned table: add the yearly partitions still missing

See samtrygg.reports.partitioning for what changes and why, and the README ("Scaling out") for the trade-offs.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from samtrygg.reports import partitioning


class Command(BaseCommand):
    help = "Range-partition the reports table by occurrence time, one partition per year (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--sql", action="store_true", help="print the SQL and change nothing")
        parser.add_argument("--first-year", type=int, help="first yearly partition (default: the oldest report's)")
        parser.add_argument("--last-year", type=int, help="last yearly partition (default: next year)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")

    def handle(self, *args, sql, first_year, last_year, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"partition-reports needs PostgreSQL; this database is {connection.vendor}. SQLite has no table "
                "partitioning, and its reports table stays as it is (DATABASE_URL chooses the database).")
        today = timezone.localdate()
        for name, value in (("--first-year", first_year), ("--last-year", last_year)):
            if value is not None and not 1900 <= value <= 2200:
                raise CommandError(f"{name} {value}: give a year between 1900 and 2200.")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            if partitioning.is_partitioned(cursor):
                years = range(first_year or today.year, (last_year or today.year + 1) + 1)
                statements = partitioning.missing_partitions_sql(cursor, years)
                what = "already partitioned by occurred_at; adding the missing yearly partitions"
            else:
                catalogue = partitioning.read_catalogue(cursor)
                try:
                    years = partitioning.years_to_create(catalogue, first=first_year, last=last_year, today=today)
                except partitioning.PartitioningError as exc:
                    raise CommandError(str(exc)) from exc
                statements = partitioning.conversion_sql(catalogue, years)
                what = (f"converting reports_report to {len(years)} yearly partitions ({years[0]}–{years[-1]}) "
                        "and a default partition")
            if sql:
                self.stdout.write(f"-- {what}\nBEGIN;")
                for statement in statements:
                    self.stdout.write(statement + ";")
                self.stdout.write("COMMIT;")
                return
            if not statements:
                self.stdout.write("reports_report is already partitioned and has every partition asked for.")
                return
            self.stdout.write(what + " …")
            for statement in statements:
                try:
                    cursor.execute(statement)
                except Exception as exc:  # the transaction rolls back: the table is as it was
                    raise CommandError(f"{statement[:120]}: {exc}. Nothing was changed.") from exc
        self.stdout.write(self.style.SUCCESS(f"Done: {len(statements)} statements."))
