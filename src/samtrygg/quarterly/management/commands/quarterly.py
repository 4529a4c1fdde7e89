from django.core.management.base import BaseCommand, CommandError

from samtrygg.audit import log
from samtrygg.quarterly import documents
from samtrygg.quarterly import ranking_service as rs
from samtrygg.quarterly.models import QuarterlyAnalysis
from samtrygg.quarterly.quarters import Quarter, QuarterError
from samtrygg.weekly.management.commands._weekly_common import write_output


class Command(BaseCommand):
    help = (
        "The quarterly ranking of areas by need as JSON, HTML (the print version) or PDF. By default it is "
        "computed now from every report (aggregates, sensitive categories included) with the default weights; "
        "--saved gives the latest saved analysis of the quarter instead (its snapshot, with the analyst's "
        "weights and conclusions). Without -o, JSON and HTML go to standard output; PDF too, but only when "
        "standard output is not a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="calendar quarter, e.g. 2026-Q3")
        parser.add_argument("--format", required=True, dest="fmt", metavar="{json,html,pdf}", help="json, html or pdf")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--kind", default=str(rs.DEFAULT_KIND),
                            help="area kind to rank (default: district)")
        parser.add_argument("--weight", action="append", default=[], metavar="COMPONENT=N",
                            help=f"a component's weight, repeatable; components: {', '.join(rs.COMPONENTS)}")
        parser.add_argument("--saved", action="store_true",
                            help="use the latest saved analysis of the quarter (and kind) instead of computing")

    def handle(self, *args, **opts):
        fmt = (opts["fmt"] or "").lower()
        if fmt not in documents.FORMATS:
            raise CommandError(f"--format: unknown format {opts['fmt']!r}; use json, html or pdf")
        try:
            quarter = Quarter.parse(opts["quarter"])
        except QuarterError as exc:
            raise CommandError(f"--quarter: {exc}") from None
        if quarter.is_future():
            raise CommandError(f"--quarter: {quarter} has not started yet (the last complete quarter is "
                               f"{Quarter.last_complete()})")
        kinds = [k for k, _label in rs.kind_choices()]
        if opts["kind"] not in kinds:
            raise CommandError(f"--kind: no active areas of the kind {opts['kind']!r} (there are: {', '.join(kinds)})")
        analysis = None
        if opts["saved"]:
            if opts["weight"]:
                raise CommandError("--weight: a saved analysis keeps its own weights; leave out --weight or --saved")
            candidates = QuarterlyAnalysis.objects.filter(year=quarter.year, quarter=quarter.quarter)
            analysis = next((a for a in candidates.order_by("-created_at")
                             if a.snapshot.get("kind") == opts["kind"]), None)
            if analysis is None:
                raise CommandError(f"--saved: no saved analysis of {quarter} ({opts['kind']}); "
                                   "leave out --saved to compute it now")
            snapshot = analysis.snapshot
        else:
            weights = self._weights(opts["weight"])
            try:
                snapshot = rs.compute(quarter, opts["kind"], weights)
            except rs.RankingError as exc:
                raise CommandError(str(exc)) from None
        doc = documents.build(snapshot, fmt, analysis=analysis)
        write_output(self, doc.content, opts["output"], binary=fmt == "pdf",
                     what=f"the quarterly analysis {quarter} ({fmt})")
        log.record(None, "export", object_type="quarterly", object_id=str(analysis.pk if analysis else quarter),
                   summary=f"command line: {fmt}, {quarter}, {opts['kind']}, {'saved' if analysis else 'live'}")

    def _weights(self, items: list[str]) -> dict:
        data = {}
        for item in items:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or key not in rs.COMPONENTS:
                raise CommandError(f"--weight {item!r}: write COMPONENT=N with a component among "
                                   f"{', '.join(rs.COMPONENTS)}")
            data[f"w_{key}"] = value
        weights, errors = rs.parse_weights(data)
        if errors:
            raise CommandError("--weight: " + "; ".join(f"{k or 'all'}: {v}" for k, v in errors.items()))
        return weights
