from django.core.management.base import BaseCommand, CommandError

from samtrygg.areas.models import Area
from samtrygg.audit import log
from samtrygg.weekly import documents

from ._weekly_common import parse_week, write_output


class Command(BaseCommand):
    help = (
        "The weekly picture (lägesbild) of an ISO week, for the whole municipality or one area, as JSON, "
        "HTML (the print version), PDF or XLSX: the same content as the week's page. Runs as a system reader "
        "that sees every report. Without -o, JSON and HTML are written to standard output; PDF and XLSX "
        "too, but only when standard output is not a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W47")
        parser.add_argument("--area", help="area code (default: the whole municipality)")
        parser.add_argument("--format", required=True, dest="fmt", metavar="{json,html,pdf,xlsx}",
                            help="json, html, pdf or xlsx")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        fmt = (opts["fmt"] or "").lower()
        if fmt not in documents.FORMATS:
            raise CommandError(f"--format: unknown format {opts['fmt']!r}; use json, html, pdf or xlsx")
        week = parse_week(opts["week"], "--week")
        area = None
        if opts["area"]:
            area = Area.objects.filter(code=opts["area"]).first()
            if area is None:
                codes = Area.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)[:30]
                known = f" (known: {', '.join(codes)})" if codes else ""
                raise CommandError(f"--area: no area has the code {opts['area']!r}{known}")
        doc = documents.build(documents.system_user(), week, fmt, area=area)
        write_output(self, doc.content, opts["output"], binary=fmt in ("pdf", "xlsx"),
                     what=f"the weekly picture {week} ({fmt})")
        log.record(None, "export", object_type="weekly", object_id=str(week),
                   summary=f"command line: {fmt}, week {week}, area {area.code if area else '-'}")
