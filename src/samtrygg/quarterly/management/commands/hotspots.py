"""`samtrygg hotspots --from DATE --to DATE [--category CODE…] [--area CODE] [--cell M] --format geojson|csv
[-o FILE]` (DESIGN.md, "Command line": a contract for scripts)."""

import csv
import io
import json
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError

from samtrygg.areas.models import Area
from samtrygg.categories.models import Category
from samtrygg.quarterly.hotspot_service import CELL_COLUMNS, HotspotError, cell_records, hotspots
from samtrygg.quarterly.quarters import STOCKHOLM
from samtrygg.weekly.management.commands._weekly_common import write_output


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-07-01") from None


class Command(BaseCommand):
    help = (
        "Grid hotspot analysis (counts, quartic kernel density, Getis-Ord Gi* with BH q-values) for the reports "
        "from --from to --to (both days included, Europe/Stockholm). One GeoJSON feature / CSV row per cell of "
        "the selected area, with " + ", ".join(CELL_COLUMNS) + "; x_min, y_min is the cell's lower-left corner "
        "in EPSG:3006, kde is incidents per km². Every report counts, sensitive categories included."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, help="last day (inclusive), YYYY-MM-DD")
        parser.add_argument("--category", nargs="+", action="extend", default=[], metavar="CODE",
                            help="category codes (default: all)")
        parser.add_argument("--area", metavar="CODE", help="area code (default: the whole municipality)")
        parser.add_argument("--cell", default="200", help="cell size in metres (default 200)")
        parser.add_argument("--bandwidth", default=None, help="kernel bandwidth in metres (default: a rule of thumb)")
        parser.add_argument("--format", dest="fmt", required=True, metavar="{geojson,csv}", help="geojson or csv")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        fmt = (opts["fmt"] or "").lower()
        if fmt not in ("geojson", "csv"):
            raise CommandError(f"--format: unknown format {opts['fmt']!r}; use geojson or csv")
        first = parse_date(opts["first"], "--from")
        last = parse_date(opts["last"], "--to")
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}")
        cell = opts["cell"]  # checked (number, > 0, grid size) by the analysis, which names the value
        bandwidth = opts["bandwidth"] if opts["bandwidth"] not in (None, "") else None
        area = None
        if opts["area"]:
            area = Area.objects.filter(code=opts["area"]).first()
            if area is None:
                raise CommandError(f"--area: there is no area with the code {opts['area']!r}")
        codes = list(dict.fromkeys(c.strip() for c in opts["category"] if c.strip()))
        found = {c.code: c for c in Category.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise CommandError(f"--category: unknown category code {missing[0]!r}")
        start = datetime.combine(first, time(0), tzinfo=STOCKHOLM)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=STOCKHOLM)
        try:
            result = hotspots(start, end, area=area, categories=[found[c] for c in codes], cell=cell,
                              bandwidth=bandwidth, label=f"{first}/{last}", require_data=False)
        except HotspotError as exc:
            option = "--cell" if "cell" in str(exc).lower() else "--bandwidth" if "bandwidth" in str(exc) else ""
            raise CommandError(f"{option + ': ' if option else ''}{exc}") from None
        if not result.reports:
            self.stderr.write(f"Note: no reports from {first} to {last} for this selection; every count is 0.")
        if fmt == "geojson":
            text = json.dumps(result.geojson(), ensure_ascii=False) + "\n"
        else:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=CELL_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(cell_records(result.analysis))
            text = buf.getvalue()
        a = result.analysis
        self.stderr.write(f"{a.n_cells:,} cells of {a.grid.cell:g} m, {result.reports:,} reports, "
                          f"bandwidth {a.bandwidth:.0f} m{' (rule of thumb)' if a.bandwidth_rule else ''}.")
        write_output(self, text, opts["output"], binary=False, what=f"{a.n_cells} cells")
