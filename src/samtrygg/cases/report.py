"""The case report: one PDF for the partners' management (problem, partners, data sheet, cause analysis,
measures, decisions and — when the evaluation module is present — the evaluation).

Like the weekly and quarterly documents: HTML from ``cases/pdf/case_report.html`` with the weekly print CSS
plus ``cases/pdf/print.css``, WeasyPrint with a fetcher that refuses everything but ``data:`` URIs, and
matplotlib drawings (``weekly.charts``) inlined as SVG data URIs.
"""

from __future__ import annotations

import logging

import matplotlib
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samtrygg.weekly import charts
from samtrygg.weekly.documents import _no_network

from . import checklist, datasheet

logger = logging.getLogger(__name__)

CATEGORY_COLOURS = ["#1d5fa8", "#d9822b", "#2e8b57", "#a3241a", "#7b4fa0", "#f2c14e", "#4aa3a3"]
OTHER_COLOUR = "#b9c7d6"
MAX_CHART_CATEGORIES = 6


# ---- drawings ------------------------------------------------------------------------------------------

def monthly_chart(sheet: dict, *, width_cm: float = 17.0, height_cm: float = 5.5) -> str | None:
    """Incidents per month stacked by category (the largest six, the rest as "other"), with the trend line
    and its 95 % band over the complete months."""
    months = sheet["months"]
    if not months["months"]:
        return None
    # A suppressed small sensitive count ("<5") has no bars; the sheet's other numbers leave it out too.
    rows = sorted((r for r in months["rows"] if not r.get("suppressed")), key=lambda r: -r["total"])
    shown, rest = rows[:MAX_CHART_CATEGORIES], rows[MAX_CHART_CATEGORIES:]
    n = len(months["months"])
    xs = list(range(n))
    with matplotlib.rc_context(charts.FONT):
        fig = charts.Figure(figsize=(width_cm / 2.54, height_cm / 2.54))
        ax = fig.add_subplot()
        bottom = [0] * n
        series = [(r["category"].name, [c["n"] for c in r["cells"]]) for r in shown]
        if rest:
            series.append((_("Other"), [sum(r["cells"][k]["n"] for r in rest) for k in range(n)]))
        for i, (name, counts) in enumerate(series):
            colour = CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] if i < len(shown) else OTHER_COLOUR
            ax.bar(xs, counts, bottom=bottom, width=0.8, color=colour, label=name, linewidth=0)
            bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
        trend = sheet["trend"]
        if trend and trend.get("available"):
            k = len(trend["line"])
            ax.fill_between(xs[:k], trend["lower"], trend["upper"], color=charts.INK, alpha=0.12, linewidth=0)
            ax.plot(xs[:k], trend["line"], color=charts.INK, linewidth=1.2, label=_("Trend (95 % band)"))
        step = 1 if n <= 12 else (3 if n <= 36 else 6)
        ax.set_xticks(xs[::step], [m["label"] for m in months["months"]][::step], fontsize=6.5)
        ax.tick_params(axis="both", length=0, colors=charts.INK)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color="#e3e7eb", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(charts.MUTED)
        ax.set_xlim(-0.6, n - 0.4)
        if series:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=6.5)
        return charts._svg(fig)


def monthly_chart_uri(sheet: dict | None) -> str | None:
    svg = monthly_chart(sheet) if sheet else None
    return charts.data_uri(svg) if svg else None


def place_map(sheet: dict, *, width_cm: float = 17.0, height_cm: float = 10.0) -> str:
    """The place (dark outline) and the visible reports (red dots), zoomed to the place."""
    case = sheet["case"]
    areas = [charts.MapArea(case.place.name if case.place_id else case.title, sheet["shape"], emphasis=True)]
    focus = [sheet["shape"].buffer(40)]
    return charts.week_map(areas, sheet["spots"]["xy"], focus=focus, width_cm=width_cm, height_cm=height_cm)


def drawings(sheet: dict | None) -> dict:
    if sheet is None:
        return {}
    return {"chart": monthly_chart_uri(sheet), "map": charts.data_uri(place_map(sheet))}


# ---- the evaluation (another engineer's module; optional) ------------------------------------------------

def evaluation(case) -> dict | None:
    """``evaluation_service.evaluate_case(case)`` when that module exists; its verdict sentences and a flat
    table of its numbers. None when the module is absent or cannot evaluate this case."""
    try:
        from samtrygg.cases import evaluation_service
    except ImportError:
        return None
    try:
        result = evaluation_service.evaluate_case(case)
    except Exception:  # an evaluation that cannot be computed must not stop the report
        logger.exception("evaluation of case %s failed", case.pk)
        return None
    if not result:
        return None
    out = {"raw": result, "sentences": list(result.get("verdicts") or []) or _sentences(result),
           "caveats": [c.get("text") for c in result.get("caveats") or [] if isinstance(c, dict) and c.get("text")],
           "periods": result.get("periods"), "rows": [], "effects": [], "numbers": []}
    counts, changes = result.get("counts"), result.get("changes") or {}
    if isinstance(counts, dict):
        labels = {"place": _("The place"), "buffer": _("Buffer zone"), "control": _("Control area")}
        for key, label in labels.items():
            c = counts.get(key)
            if isinstance(c, dict):
                out["rows"].append({"label": label, "before": c.get("before"), "after": c.get("after"),
                                    "change": changes.get(key) or ""})
        rr, wdq = result.get("rate_ratio") or {}, result.get("wdq") or {}
        if rr.get("computable"):
            out["effects"].append((_("Rate ratio (place vs control, 95 % CI)"),
                                   f"{rr['rr']:.2f} ({rr['ci_low']:.2f}–{rr['ci_high']:.2f})"))
        if wdq.get("computable") and wdq.get("wdq") is not None:
            out["effects"].append((_("Weighted Displacement Quotient"), f"{wdq['wdq']:.2f}"))
        net = result.get("net_effect") or {}
        if net.get("computable"):
            low, high = net["prevented_ci_low"], net["prevented_ci_high"]
            out["effects"].append((_("Incidents prevented, place and buffer (95 % CI)"),
                                   f"{net['prevented']:.1f} ({low:.1f}–{high:.1f})"))
        elif result.get("total_net_effect") is not None:
            out["effects"].append((_("Total net effect (incidents)"), f"{result['total_net_effect']:.1f}"))
    else:
        out["numbers"] = _numbers(result)
    return out


def _sentences(result) -> list[str]:
    out: list[str] = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and any(w in key for w in ("verdict", "sentence", "caveat", "message",
                                                               "conclusion", "warning")):
            if value.strip() and value not in out:
                out.append(value)

    walk(result)
    return out


def _numbers(result, prefix: str = "") -> list[tuple[str, str]]:
    """Every number in the result as (dotted key, formatted value), in the result's order."""
    rows: list[tuple[str, str]] = []
    if isinstance(result, dict):
        for k, v in result.items():
            rows += _numbers(v, f"{prefix}{k}." if prefix or k else "")
    elif isinstance(result, bool):
        return rows
    elif isinstance(result, int):
        rows.append((prefix.rstrip("."), str(result)))
    elif isinstance(result, float):
        rows.append((prefix.rstrip("."), "–" if result != result else f"{result:.3g}"))
    return rows


# ---- the document ------------------------------------------------------------------------------------------

def filename(case) -> str:
    return f"platssamverkan-{case.pk}-{slugify(case.title)[:40] or 'case'}.pdf"


def context(case, user) -> dict:
    from samtrygg.cases.models import CauseAnalysis, JournalEntry

    try:
        sheet = datasheet.build(case, user, datasheet.parse_period(None, None))
        sheet_error = None
    except datasheet.DatasheetError as exc:
        sheet, sheet_error = None, str(exc)
    analysis = CauseAnalysis.objects.filter(case=case).first()
    items = checklist.normalise(analysis.checklist if analysis else {})
    status_labels = dict(checklist.STATUSES)
    checklist_rows = [{"label": label, "status": items[code]["status"],
                       "status_label": status_labels.get(items[code]["status"], ""), "note": items[code]["note"]}
                      for code, label, _help in checklist.ITEMS if code in items]
    measures = list(case.measures.select_related("responsible").order_by("start_date", "pk"))
    return {
        "case": case,
        "partners": list(case.partners.select_related("organization").order_by("organization__name")),
        "sheet": sheet, "sheet_error": sheet_error, "images": drawings(sheet),
        "analysis": analysis, "checklist": checklist_rows,
        "hypotheses": list(case.hypotheses.order_by("pk")),
        "measures": measures,
        "total_cost": sum((m.cost for m in measures if m.cost is not None), start=0) if any(
            m.cost is not None for m in measures) else None,
        "decisions": list(case.journal.filter(kind=JournalEntry.Kind.DECISION).order_by("happened_on", "pk")),
        "evaluation": evaluation(case),
        "generated": timezone.localtime(),
        "generated_by": (user.get_full_name() or user.username) if user and user.is_authenticated else "",
    }


def print_css() -> str:
    return render_to_string("weekly/pdf/print.css") + "\n" + render_to_string("cases/pdf/print.css")


def to_html(case, user) -> str:
    return render_to_string("cases/pdf/case_report.html", context(case, user))


def build_pdf(case, user) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = _no_network()
    return HTML(string=to_html(case, user), url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=print_css(), url_fetcher=fetcher)])

