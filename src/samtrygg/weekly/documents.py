"""The weekly picture as documents: JSON, XLSX, PDF (and the PDF's HTML), all from the same dict.

Every format renders ``picture.build_picture(user, week, ...)`` and nothing else, so the page, the PDF,
the XLSX and the JSON agree by construction. The one addition is the PDF's map, which draws the week's
report points (only those the user may see in detail, like the page's map) over the area outlines.

- JSON: exactly the picture dict.
- XLSX (openpyxl): one sheet per section, with fixed Swedish sheet names (scripts look sheets up by
  name, so the names are part of the format like the CLI's columns); numbers are number cells and
  dates date cells.
- PDF (WeasyPrint, A4): rendered from ``weekly/pdf/week.html`` and ``weekly/pdf/print.css``. Nothing
  is fetched from the network: the map and chart are inline SVG data URIs and the URL fetcher refuses
  everything else but ``data:`` URIs.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from samtrygg.weekly.weeks import IsoWeek

FORMATS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
WEB_FORMATS = ("pdf", "xlsx", "json")
MAX_MAP_POINTS = 5000  # a week rarely has more; beyond it the map is a blot anyway


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    filename: str


def system_user():
    """The CLI's reader: an unsaved superuser without organisation, who sees everything (a script that
    produces the weekly document for the partners must not depend on one person's account)."""
    from samtrygg.accounts.models import User

    return User(username="samtrygg-cli", is_superuser=True, is_staff=False, is_active=True)


def build(user, week: IsoWeek, fmt: str, *, area=None, categories=None, organization=None) -> Document:
    """The picture for ``user`` rendered as ``fmt`` (one of FORMATS)."""
    from samtrygg.weekly.picture import build_picture

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    picture = build_picture(user, week, area=area, categories=categories, organization=organization)
    if fmt == "json":
        content = to_json(picture).encode("utf-8")
    elif fmt == "xlsx":
        content = to_xlsx(picture)
    else:
        images = drawings(picture, user, week, area=area, categories=categories, organization=organization)
        html = to_html(picture, images, standalone=fmt == "html")
        content = html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
    return Document(content=content, content_type=FORMATS[fmt], filename=filename(week, area, fmt))


def filename(week: IsoWeek, area, fmt: str) -> str:
    """``lagesbild-2026-W47-gottsunda.pdf`` (the area's code), ``lagesbild-2026-W47.pdf`` for all areas."""
    suffix = f"-{slugify(area.code)}" if area is not None else ""
    return f"lagesbild-{week}{suffix}.{fmt}"


# ---- JSON ----------------------------------------------------------------------------------------

def to_json(picture: dict) -> str:
    return json.dumps(picture, ensure_ascii=False, indent=2)


# ---- small accessors (the dict is plain JSON) ----------------------------------------------------

def _name(value) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("code") or "")
    return "" if value is None else str(value)


def _area_label(picture: dict) -> str:
    return _name(picture.get("area")) or _("Whole municipality")


def _date(value):
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _datetime(value):
    """An ISO timestamp as a naive local datetime (spreadsheets have no time zones)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is not None:
            from samtrygg.weekly.weeks import STOCKHOLM

            parsed = parsed.astimezone(STOCKHOLM).replace(tzinfo=None)
        return parsed
    return value


def _number(value):
    if isinstance(value, float):
        return round(value, 2)
    return value


def _status_text(row: dict) -> str:
    """The row's verdict in words (the PDF and XLSX never rely on colour alone)."""
    if row.get("signal"):
        return _("SIGNAL")
    status = row.get("status") or ""
    return {"normal": "", "few_cases": _("above threshold, few cases"),
            "no_history": _("too little history"), "alarm": _("SIGNAL")}.get(status, status)


def _actions(picture: dict) -> dict[str, list[dict]]:
    actions = picture.get("actions") or {}
    if isinstance(actions, list):  # tolerate a flat list
        return {"decided": [], "previous": [], "open": actions}
    return {key: list(actions.get(key) or []) for key in ("decided", "previous", "open")}


def _where(action: dict) -> str:
    return ", ".join(str(x) for x in (action.get("area"), action.get("place")) if x)


# ---- XLSX ----------------------------------------------------------------------------------------

SHEETS = ("Översikt", "Område × kategori", "Veckodag × timme", "Aktörer", "Insatser", "Noterbara händelser")


def to_xlsx(picture: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wb = Workbook()
    wb.remove(wb.active)

    def sheet(title: str, header: list[str], rows: list[list[Any]], *, freeze: str = "A2"):
        ws = wb.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_number(v) for v in row])
        ws.freeze_panes = freeze
        _fit_columns(ws)
        return ws

    # Overview: label/value pairs, then the signals as a table.
    totals = picture.get("totals") or {}
    assessment = picture.get("assessment") or {}
    overview = [
        [_("Week"), picture.get("week")],
        [_("Area"), _area_label(picture)],
        [_("From"), _date(picture.get("week_start"))],
        [_("To"), _date(picture.get("week_end"))],
        [_("Filters"), _filters_text(picture)],
        [_("Reports this week"), totals.get("reports")],
        [_("Reports last week"), totals.get("previous")],
        [pgettext("difference from last week", "Change"), totals.get("change")],
        [_("What do we see"), assessment.get("what_we_see") or ""],
        [_("What do we think it means"), assessment.get("what_it_means") or ""],
        [_("Published"), _datetime(assessment.get("published_at")) or ""],
        [_("Generated"), _datetime(picture.get("generated_at"))],
    ]
    ws = sheet(SHEETS[0], [_("Field"), _("Value")], overview)
    signals = picture.get("signals") or []
    ws.append([])
    ws.append([_("Signals")])
    ws.cell(ws.max_row, 1).font = bold
    signal_header = [_("Area"), _("Category"), _("Count"), _("Expected"), _("Threshold"), _("Explanation")]
    ws.append(signal_header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    if not signals:
        ws.append([_("No signals this week.")])
    for s in signals:
        ws.append([_name(s.get("area")), _name(s.get("category")), s.get("count"), _number(s.get("expected")),
                   _number(s.get("threshold")), s.get("sentence") or s.get("explanation") or ""])
    for row in ws.iter_rows(min_row=2, max_row=len(overview) + 1, max_col=2):
        row[0].font = bold
        row[1].alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    _fit_columns(ws)
    ws.column_dimensions["B"].width = 70
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(cell.value, datetime) else "yyyy-mm-dd"

    rows = picture.get("rows") or []
    change = pgettext("difference from last week", "Change")
    ws = sheet(SHEETS[1], [_("Area"), _("Category"), _("Count"), _("Previous week"), change, _("Expected"),
                           _("Threshold"), _("Signal"), _("Explanation")],
               [[_name(r.get("area")), _name(r.get("category")), r.get("count"), r.get("previous"), r.get("change"),
                 r.get("expected"), r.get("threshold"), _status_text(r), r.get("explanation") or ""]
                for r in rows])
    for col in ("F", "G"):
        for cell in ws[col][1:]:
            cell.number_format = "0.0"

    wh = picture.get("weekday_hour") or {}
    weekdays = wh.get("weekdays") or []
    hours = wh.get("hours") or list(range(24))
    counts = wh.get("counts") or []
    sheet(SHEETS[2], [_("Weekday"), *[int(h) if str(h).isdigit() else h for h in hours], _("Total")],
          [[day, *counts[i], sum(counts[i])] for i, day in enumerate(weekdays) if i < len(counts)],
          freeze="B2")

    orgs = picture.get("organizations") or []
    sheet(SHEETS[3], [_("Organisation"), _("Reports this week"), _("Usual per week"), _("Missing reporting"),
                       _("Much less than usual")],
          [[o.get("name"), o.get("count"), o.get("usual"), _("yes") if o.get("missing") else "",
            _("yes") if o.get("low") else ""] for o in orgs])

    action_rows = []
    labels = {"decided": _("Decided this week"), "previous": _("Decided last week"), "open": _("Open")}
    for group, items in _actions(picture).items():
        for a in items:
            action_rows.append([labels[group], a.get("title"), a.get("status_label") or a.get("status"),
                                a.get("responsible"), _where(a), _date(a.get("start_date")),
                                _date(a.get("end_date")), a.get("decided_week") or "", a.get("follow_up") or ""])
    ws = sheet(SHEETS[4], [_("List"), _("What"), _("Status"), _("Responsible"), _("Where"), _("From"), _("To"),
                           _("Decided week"), _("Follow-up")], action_rows)
    for col in ("F", "G"):
        for cell in ws[col][1:]:
            cell.number_format = "yyyy-mm-dd"

    notable = picture.get("notable") or []
    ws = sheet(SHEETS[5], [_("Time"), _("Category"), _("Area"), _("Description"),
                           pgettext("spreadsheet column: the report's id", "Report")],
               [[_datetime(n.get("time")), _name(n.get("category")), _name(n.get("area")),
                 n.get("description") or "", n.get("id")] for n in notable])
    for cell in ws["A"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    ws.column_dimensions["A"].width = 17

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fit_columns(ws, *, minimum: int = 6, maximum: int = 60):
    widths: dict[str, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = str(cell.value)
            longest = max(len(line) for line in text.splitlines()) if text else 0
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), longest)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = max(minimum, min(maximum, width + 2))


def _filters_text(picture: dict) -> str:
    """The page's filters in words ("Category: Klotter; Organisation: Polisen"), empty when none."""
    filters = picture.get("filters") or {}
    if not isinstance(filters, dict):
        return str(filters)
    parts = []
    labels = {"categories": _("Category"), "category": _("Category"), "organization": _("Organisation")}
    for key, label in labels.items():
        value = filters.get(key)
        if not value:
            continue
        values = value if isinstance(value, list) else [value]
        parts.append(f"{label}: {', '.join(_name(v) for v in values)}")
    return "; ".join(parts)


# ---- PDF -----------------------------------------------------------------------------------------

def drawings(picture: dict, user, week: IsoWeek, *, area=None, categories=None, organization=None) -> dict:
    """The map and the category chart as SVG data URIs."""
    from . import charts

    points = map_points(user, week, area=area, categories=categories, organization=organization)
    outlines, focus = map_areas(area)
    map_svg = charts.week_map(outlines, points, focus=focus)
    labels, this_week, last_week = _category_series(picture)
    chart_svg = None
    if labels:
        chart_svg = charts.category_bars(labels, this_week, last_week, this_label=_("Week %(week)s") % {
            "week": week.week}, last_label=_("Week %(week)s") % {"week": week.previous().week})
    return {"map": charts.data_uri(map_svg), "map_points": len(points),
            "chart": charts.data_uri(chart_svg) if chart_svg else None}


def map_points(user, week: IsoWeek, *, area=None, categories=None, organization=None) -> list[tuple[float, float]]:
    """SWEREF 99 TM positions of the week's reports the user may see in detail (as the page's map)."""
    from samtrygg.reports.access import visible_reports
    from samtrygg.weekly.counts import reports_in_week

    qs = reports_in_week(week, area=area, categories=categories, organization=organization,
                         queryset=visible_reports(user))
    return [(x, y) for x, y in qs.order_by().values_list("x", "y")[:MAX_MAP_POINTS]]


def map_areas(area=None) -> tuple[list, list]:
    """Outlines for the map and the geometries to zoom to. With an area: the area (emphasised, zoomed to),
    its sub-areas and its neighbours. Without: the top-level areas (emphasised) and the areas directly
    inside them, zoomed to those inner areas (a rural municipality's outline would make the town a speck);
    deeper levels are left out, they would clutter the map."""
    from samtrygg.areas.models import Area

    from .charts import MapArea

    active = Area.objects.filter(is_active=True)
    if area is not None:
        around = active.filter(parent_id=area.parent_id) if area.parent_id else active.filter(parent__isnull=True)
        shown = [MapArea(a.name, a.shape) for a in list(around.exclude(pk=area.pk)) + list(active.filter(parent=area))]
        selected = MapArea(area.name, area.shape, emphasis=True)
        return [*shown, selected], [selected.geometry]
    roots = list(active.filter(parent__isnull=True))
    children = [MapArea(a.name, a.shape) for a in active.filter(parent__in=roots)]
    top = [MapArea(a.name, a.shape, emphasis=True) for a in roots]
    return children + top, [a.geometry for a in children or top]


def _category_series(picture: dict) -> tuple[list[str], list[int], list[int]]:
    """Category labels with this and last week's counts, largest first, categories with neither left out."""
    items = picture.get("by_category") or []
    series = []
    for item in items:
        if isinstance(item.get("count"), str) or isinstance(item.get("previous"), str):
            continue  # a suppressed small count ("<5") has no bar
        count, previous = int(item.get("count") or 0), int(item.get("previous") or 0)
        if count or previous:
            series.append((_name(item.get("category")) or _name(item), count, previous))
    series.sort(key=lambda s: (-s[1], -s[2], s[0]))
    return [s[0] for s in series], [s[1] for s in series], [s[2] for s in series]


def heat_class(value: int, top: int) -> str:
    """A CSS class ``heat-0`` … ``heat-5`` for a weekday × hour cell (the number is printed too)."""
    if not value or not top:
        return "heat-0"
    return f"heat-{min(5, 1 + int(4.999 * value / top))}"


def print_context(picture: dict, images: dict) -> dict:
    wh = picture.get("weekday_hour") or {}
    counts = wh.get("counts") or []
    top = max((max(row) for row in counts if row), default=0)
    matrix = [{"day": day, "cells": [{"n": n, "css": heat_class(n, top)} for n in counts[i]],
               "total": sum(counts[i])} for i, day in enumerate(wh.get("weekdays") or []) if i < len(counts)]
    rows = [dict(r, status_text=_status_text(r)) for r in picture.get("rows") or []]
    row_groups: list[dict] = []
    for r in rows:  # rows come ordered by area: one group (tbody) per area
        if not row_groups or row_groups[-1]["area"] != r.get("area"):
            row_groups.append({"area": r.get("area"), "rows": []})
        row_groups[-1]["rows"].append(r)
    actions = _actions(picture)
    return {
        "p": picture,
        "area_label": _area_label(picture),
        "filters_text": _filters_text(picture),
        "rows": rows,
        "row_groups": row_groups,
        "notable": [dict(n, when=_datetime(n.get("time"))) for n in picture.get("notable") or []],
        "matrix": matrix,
        "hours": wh.get("hours") or list(range(24)),
        "actions": actions,
        "has_actions": any(actions.values()),
        "generated": _datetime(picture.get("generated_at")),
        "published": _datetime((picture.get("assessment") or {}).get("published_at")),
        "week_start": _date(picture.get("week_start")),
        "week_end": _date(picture.get("week_end")),
        "images": images,
    }


def print_css() -> str:
    return render_to_string("weekly/pdf/print.css")


def to_html(picture: dict, images: dict, *, standalone: bool = False) -> str:
    """The print template. ``standalone`` embeds the print CSS (a file opened on its own has no server
    to fetch it from); for the PDF the CSS is handed to WeasyPrint as a stylesheet instead."""
    context = print_context(picture, images)
    context["inline_css"] = print_css() if standalone else None
    return render_to_string("weekly/pdf/week.html", context)


def _no_network():
    """WeasyPrint's fetcher limited to ``data:`` URIs. Every image is inline, so anything else is a
    mistake (and fetching it could tell another host that the document was made)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = _no_network()
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=print_css(), url_fetcher=fetcher)])
