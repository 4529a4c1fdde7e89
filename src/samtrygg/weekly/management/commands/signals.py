import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError

from samtrygg.weekly.signal_service import signals_for_weeks

from ._weekly_common import parse_week, write_output

#: The contract (DESIGN.md, "Command line"): these columns first, in this order; area and category as codes.
CONTRACT_COLUMNS = ("week", "area", "category", "count", "expected", "threshold", "score")
EXTRA_COLUMNS = ("status", "method", "trigger", "explanation", "area_name", "category_name")
COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS
MAX_WEEKS = 53 * 10


def signal_record(row) -> dict:
    return {
        "week": str(row.week), "area": row.area.code, "category": row.category.code, "count": int(row.count),
        "expected": round(float(row.expected), 2), "threshold": int(row.threshold),
        "score": round(float(row.score), 2), "status": row.status, "method": row.method,
        "trigger": row.trigger, "explanation": row.explanation, "area_name": row.area.name,
        "category_name": row.category.name,
    }


class Command(BaseCommand):
    help = (
        "Every signal (unusually high count of an area × category) in a range of ISO weeks. CSV columns: "
        + ",".join(COLUMNS) + " (area and category as codes); JSON: a list of objects with the same keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="first ISO week, e.g. 2026-W40")
        parser.add_argument("--to", dest="last", required=True, help="last ISO week (inclusive)")
        parser.add_argument("--format", dest="fmt", default="csv", metavar="{csv,json}", help="csv (default) or json")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        fmt = (opts["fmt"] or "").lower()
        if fmt not in ("csv", "json"):
            raise CommandError(f"--format: unknown format {opts['fmt']!r}; use csv or json")
        first = parse_week(opts["first"], "--from")
        last = parse_week(opts["last"], "--to")
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}")
        if first.weeks_until(last) >= MAX_WEEKS:
            raise CommandError(f"--from {first} --to {last}: at most {MAX_WEEKS} weeks at a time")
        rows = [r for r in signals_for_weeks(first, last) if r.alarm]
        rows.sort(key=lambda r: (r.week, r.area.code, r.category.code))
        records = [signal_record(r) for r in rows]
        if fmt == "json":
            text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        else:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
            text = buf.getvalue()
        write_output(self, text, opts["output"], binary=False, what=f"{len(records)} signals")
