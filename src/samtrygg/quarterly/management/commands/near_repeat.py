"""``samtrygg near-repeat``: the Knox near-repeat table as JSON (DESIGN.md, "Command line")."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from samtrygg.analysis import near_repeat as nr
from samtrygg.categories.models import Category
from samtrygg.quarterly.patterns_service import NearRepeatQuery, PatternError, near_repeat
from samtrygg.weekly.management.commands._weekly_common import write_output


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31") from None


def _positive(text: str, option: str, *, low: int = 1, high: int | None = None) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise CommandError(f"{option}: {text!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise CommandError(f"{option}: must be {limit}, not {value}")
    return value


class Command(BaseCommand):
    help = ("Knox near-repeat test (as Ratcliffe's Near Repeat Calculator) for one category and period: "
            "pairs of reports per space band × time band, observed, expected under random timing "
            "(Monte-Carlo permutations of the dates), Knox ratio and p-value, and the reading in words.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day (inclusive), YYYY-MM-DD")
        parser.add_argument("--category", required=True, help="category code, e.g. stold")
        parser.add_argument("--space-band", default="100", help="space bandwidth in metres (default 100)")
        parser.add_argument("--time-band", default="7", help="time bandwidth in days (default 7)")
        parser.add_argument("--space-bands", default="5", help="number of space bands (default 5)")
        parser.add_argument("--time-bands", default="5", help="number of time bands (default 5)")
        parser.add_argument("--permutations", default=str(nr.DEFAULT_PERMUTATIONS),
                            help=f"Monte-Carlo permutations, 19–{nr.MAX_PERMUTATIONS} "
                                 f"(default {nr.DEFAULT_PERMUTATIONS})")
        parser.add_argument("--seed", default="20240601", help="random seed (same seed, same p-values)")
        parser.add_argument("--format", dest="fmt", default="json", metavar="{json}", help="json (the only format)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        if (opts["fmt"] or "").lower() != "json":
            raise CommandError(f"--format: unknown format {opts['fmt']!r}; use json")
        start = _date(opts["start"], "--from")
        end = _date(opts["end"], "--to")
        if end < start:
            raise CommandError(f"--to {end} is before --from {start}")
        code = (opts["category"] or "").strip()
        category = Category.objects.filter(code__iexact=code).first()
        if category is None:
            known = ", ".join(Category.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"--category: no category with the code {code!r}; known codes: {known}")
        query = NearRepeatQuery(
            start=start, end=end, category=category,
            space_band=_positive(opts["space_band"], "--space-band", high=10_000),
            time_band=_positive(opts["time_band"], "--time-band", high=365),
            space_bands=_positive(opts["space_bands"], "--space-bands", high=20),
            time_bands=_positive(opts["time_bands"], "--time-bands", high=30),
            permutations=_positive(opts["permutations"], "--permutations", low=19, high=nr.MAX_PERMUTATIONS),
            seed=_positive(opts["seed"], "--seed", low=0),
        )
        with translation.override("en"):
            try:
                result = near_repeat(query)
            except PatternError as exc:
                raise CommandError(str(exc)) from None
        text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        write_output(self, text, opts["output"], binary=False, what="the near-repeat table")
