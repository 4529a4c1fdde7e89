"""`samtrygg evaluate --place CODE --start DATE [--end DATE] [--weeks N] [--buffer M] [--control CODE]
--format json|pdf [-o FILE]`: the before/after evaluation of a registered place with displacement to a
buffer zone (DESIGN.md, "Command line"). Works without a case."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from samtrygg.areas.models import Area, Place
from samtrygg.cases import evaluation_service as service
from samtrygg.categories.models import Category
from samtrygg.weekly.management.commands._weekly_common import write_output


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date; write YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Before/after evaluation of a place against a control area, with displacement to a buffer zone."

    def add_arguments(self, parser):
        parser.add_argument("--place", required=True, help="code of the registered place")
        parser.add_argument("--start", required=True, help="intervention date, YYYY-MM-DD")
        parser.add_argument("--end", help="last day of data to use, YYYY-MM-DD (default: today)")
        parser.add_argument("--weeks", type=int, help="weeks before and after (default: as many as the data "
                                                      "allow, up to 52)")
        parser.add_argument("--buffer", type=int, default=400, help="width of the buffer zone in metres "
                                                                    "(default 400)")
        parser.add_argument("--control", help="code of the control area (default: the place's area)")
        parser.add_argument("--category", action="append", default=[], help="category code (repeatable; "
                                                                            "default: all)")
        parser.add_argument("--format", choices=["json", "pdf"], default="json")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, place, start, end=None, weeks=None, buffer=400, control=None, category=(),
               format="json", output=None, **options):
        found = Place.objects.filter(code=place).first()
        if found is None:
            raise CommandError(f"--place: no place has the code {place!r}")
        start_day = _date(start, "--start")
        end_day = _date(end, "--end") if end else None
        if weeks is not None and weeks < 1:
            raise CommandError("--weeks: must be at least 1")
        if buffer < 0:
            raise CommandError("--buffer: must be zero or more metres")
        if control:
            control_area = Area.objects.filter(code=control).first()
            if control_area is None:
                raise CommandError(f"--control: no area has the code {control!r}")
        else:
            control_area = found.area
        categories = []
        if category:
            categories = list(Category.objects.filter(code__in=category))
            unknown = sorted(set(category) - {c.code for c in categories})
            if unknown:
                raise CommandError(f"--category: unknown category code(s): {', '.join(unknown)}")
        try:
            result = service.evaluate_place(found, start=start_day, end=end_day, weeks=weeks, buffer=buffer,
                                            control=control_area, categories=categories or None)
        except service.EvaluationError as exc:
            raise CommandError(str(exc)) from None
        if format == "json":
            write_output(self, json.dumps(result, ensure_ascii=False, indent=2), output, binary=False,
                         what="the evaluation (JSON)")
        else:
            write_output(self, service.to_pdf(result), output, binary=True, what="the evaluation (PDF)")
