"""The evaluation of a case (or a registered place): counts at the place, in a buffer ring around it and in
a control area before and after the intervention date, the rate ratio with its CI, the Weighted
Displacement Quotient, plain-language verdicts and caveats. The statistics are in
:mod:`samtrygg.analysis.evaluation`; this module counts and words.

What is counted: incidents (report rows, not ``quantity``), soft-deleted reports never, all categories
unless some are chosen. Counts are aggregates and may include sensitive categories (DESIGN.md); no
individual report is listed. Days are Europe/Stockholm local days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import shapely
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from samtrygg.analysis import evaluation as stats
from samtrygg.analysis import geo
from samtrygg.reports.models import Report
from samtrygg.weekly.weeks import STOCKHOLM

# Control remaining after removing the place and the buffer, below this share of its area: "swallowed".
SWALLOWED_SHARE = 0.05
HISTORY_YEARS = 3


class EvaluationError(ValueError):
    """Input that cannot be evaluated at all; the message names what is wrong."""


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM)


def _base_queryset(categories):
    qs = Report.objects.alive()
    if categories:
        qs = qs.filter(category__code__in=[c.code if hasattr(c, "code") else c for c in categories])
    return qs


def _rows(qs) -> tuple[np.ndarray, np.ndarray, list]:
    rows = list(qs.values_list("x", "y", "occurred_at"))
    if not rows:
        return np.empty(0), np.empty(0), []
    x, y, when = zip(*rows, strict=True)
    return np.asarray(x, float), np.asarray(y, float), list(when)


def _in_bbox(qs, geometry):
    minx, miny, maxx, maxy = geometry.bounds
    return qs.filter(x__gte=minx, x__lte=maxx, y__gte=miny, y__lte=maxy)


def _inside(x, y, geometry) -> np.ndarray:
    mask = np.zeros(len(x), bool)
    if len(x) and geometry is not None and not geometry.is_empty:
        mask[geo.assign_points(x, y, [geometry])[0]] = True
    return mask


def _days(when: list, origin: datetime) -> np.ndarray:
    if not when:
        return np.empty(0)
    # Local wall-clock time, so a summer-time change inside the period does not move a week's border.
    naive = origin.replace(tzinfo=None)
    seconds = np.array([(w.astimezone(STOCKHOLM).replace(tzinfo=None) - naive).total_seconds() for w in when])
    return seconds / 86400.0


def _split(days: np.ndarray, weeks: int) -> tuple[int, int]:
    before = int(np.count_nonzero((days >= 0) & (days < 7 * weeks)))
    after = int(np.count_nonzero((days >= 7 * weeks) & (days < 14 * weeks)))
    return before, after


def data_start(categories=None) -> date | None:
    first = _base_queryset(categories).aggregate(first=Min("occurred_at"))["first"]
    return first.astimezone(STOCKHOLM).date() if first else None


def evaluate_case(case, *, start=None, end=None, weeks=None, buffer=None, control=None, categories=None) -> dict:
    """The whole evaluation of a PlaceCase as a JSON-able dict (see :func:`evaluate_shape`)."""
    shape = case.shape
    if shape is None:
        raise EvaluationError(_("The case has neither a registered place nor a drawn area."))
    result = evaluate_shape(
        shape, place=case.place if case.place_id and not case.geometry_sweref else None,
        start=start or case.intervention_on, end=end, weeks=weeks,
        buffer=case.buffer_m if buffer is None else buffer,
        control=control if control is not None else case.control_area, categories=categories)
    result["case"] = {"id": case.pk, "title": case.title}
    return result


def evaluate_place(place, **kwargs) -> dict:
    """The evaluation of a registered place without a case (``samtrygg evaluate --place``)."""
    if kwargs.get("buffer") is None:
        kwargs["buffer"] = 400
    return evaluate_shape(place.shape, place=place, **kwargs)


def evaluate_shape(shape, *, place=None, start=None, end=None, weeks=None, buffer=400, control=None,
                   categories=None) -> dict:
    if start is None:
        raise EvaluationError(_("Choose an intervention date: the day the measures started."))
    if buffer is None or buffer < 0:
        raise EvaluationError(_("The buffer zone must be zero or more metres wide."))
    if weeks is not None and weeks < 1:
        raise EvaluationError(_("The number of weeks must be at least 1."))
    today = timezone.localdate()
    end = min(end or today, today)
    if end <= start:
        raise EvaluationError(_("The end date must be after the intervention date (and not in the future)."))
    try:
        periods, shortened = stats.choose_periods(start, data_start=data_start(categories), data_end=end,
                                                  weeks=weeks)
    except stats.PeriodError as exc:
        if exc.code == "before":
            raise EvaluationError(_("Too little history before the intervention date: the data must cover at "
                                    "least one whole week before %(date)s.") % {"date": start}) from exc
        raise EvaluationError(_("Too little time after the intervention date: at least one whole week must "
                                "have passed after %(date)s (up to %(end)s).") % {"date": start, "end": end}) from exc

    origin = _local_midnight(periods.before_start)
    window = _base_queryset(categories).filter(occurred_at__gte=origin,
                                               occurred_at__lt=_local_midnight(periods.after_end))
    ring = shape.buffer(buffer).difference(shape) if buffer > 0 else shapely.Polygon()

    # The place: registered places have their reports assigned already (ReportPlace).
    if place is not None:
        tx, ty, twhen = _rows(window.filter(reportplace__place=place))
    else:
        bx, by, bwhen = _rows(_in_bbox(window, shape))
        keep = _inside(bx, by, shape)
        twhen = [w for w, k in zip(bwhen, keep, strict=True) if k]
    t_days = _days(twhen, origin)

    # The buffer ring: candidates by bounding box, then point in polygon. A report on the place's edge is
    # counted at the place only.
    b_days = np.empty(0)
    if not ring.is_empty:
        rx, ry, rwhen = _rows(_in_bbox(window, ring))
        keep = _inside(rx, ry, ring) & ~_inside(rx, ry, shape)
        b_days = _days([w for w, k in zip(rwhen, keep, strict=True) if k], origin)

    # The control: its assigned reports, minus any inside the place or the buffer.
    control_overlap = control_swallowed = False
    c_days = np.empty(0)
    control_geom = None
    if control is not None:
        control_geom = control.shape
        covered = shapely.union(shape, ring) if not ring.is_empty else shape
        if control_geom.intersects(shape) and control_geom.intersection(shape).area > 0:
            control_overlap = True
        if control_geom.intersects(ring) and control_geom.intersection(ring).area > 0:
            control_overlap = True
        remaining = control_geom.difference(covered)
        if remaining.area < SWALLOWED_SHARE * control_geom.area:
            control_swallowed = True
        cx, cy, cwhen = _rows(window.filter(reportarea__area=control))
        keep = ~_inside(cx, cy, covered) if control_overlap else np.ones(len(cx), bool)
        c_days = _days([w for w, k in zip(cwhen, keep, strict=True) if k], origin)
        control_geom = remaining

    n = periods.weeks
    tb, ta = _split(t_days, n)
    bb, ba = _split(b_days, n)
    cb, ca = _split(c_days, n)
    counts = stats.Counts(tb, ta, bb, ba, cb, ca)
    has_control = control is not None
    rr = stats.rate_ratio(tb, ta, cb, ca) if has_control else {"computable": False, "corrected": False,
                                                                            "reason": "no_control"}
    displacement = (stats.wdq(tb, ta, bb, ba, cb, ca) if has_control and buffer > 0
                    else {"computable": False, "meaningful": False, "reason": "no_control" if not has_control
                          else "no_buffer"})
    tne = stats.total_net_effect(tb, ta, bb, ba, cb, ca) if has_control else None
    net = stats.net_effect(tb, ta, bb, ba, cb, ca) if has_control else {"computable": False,
                                                                          "reason": "no_control"}

    # Regression to the mean: the place's weekly rate in the (up to three) years before the before period.
    history_start = max(periods.before_start - timedelta(days=365 * HISTORY_YEARS),
                        data_start(categories) or periods.before_start)
    history_weeks = max(0, (periods.before_start - history_start).days // 7)
    history_count = 0
    if history_weeks:
        hist = _base_queryset(categories).filter(
            occurred_at__gte=_local_midnight(periods.before_start - timedelta(weeks=history_weeks)),
            occurred_at__lt=origin)
        if place is not None:
            history_count = hist.filter(reportplace__place=place).count()
        else:
            hx, hy, _hw = _rows(_in_bbox(hist, shape))
            history_count = int(_inside(hx, hy, shape).sum())

    caveat_codes = stats.caveats(counts, periods, place_history_weeks=history_weeks,
                                 place_history_count=history_count, control_overlap=control_overlap,
                                 control_swallowed=control_swallowed, corrected=bool(rr.get("corrected")))
    if shortened:
        caveat_codes.insert(0, {"code": "shortened", "weeks": n, "wanted": weeks})
    if not has_control:
        caveat_codes.append({"code": "no_control"})

    week_starts = [(periods.before_start + timedelta(weeks=i)).isoformat() for i in range(2 * n)]
    return {
        "place": {"code": place.code, "name": place.name} if place is not None else None,
        "periods": periods.as_dict(),
        "buffer_m": buffer,
        "control": {"code": control.code, "name": control.name} if control is not None else None,
        "categories": sorted(c.code if hasattr(c, "code") else c for c in categories) if categories else [],
        "counts": {"place": {"before": tb, "after": ta}, "buffer": {"before": bb, "after": ba},
                   "control": {"before": cb, "after": ca} if has_control else None},
        "rate_ratio": rr,
        "wdq": displacement,
        "total_net_effect": tne,
        "net_effect": net,
        "changes": {"place": change_text(tb, ta), "buffer": change_text(bb, ba),
                    "control": change_text(cb, ca) if has_control else None},
        "verdicts": verdicts(rr, displacement, counts, has_control=has_control) + net_effect_verdicts(net),
        "caveats": [dict(c, text=caveat_text(c)) for c in caveat_codes],
        "weekly": {"week_starts": week_starts, "intervention_index": n,
                   "place": stats.weekly_series(t_days, n), "buffer": stats.weekly_series(b_days, n),
                   "control": stats.weekly_series(c_days, n) if has_control else None},
        "geometry": {
            "place": geo.sweref_to_wgs84_geojson(shape),
            "buffer": geo.sweref_to_wgs84_geojson(ring) if not ring.is_empty else None,
            "control": (geo.sweref_to_wgs84_geojson(control_geom)
                        if control_geom is not None and not control_geom.is_empty else None),
        },
    }


def change_text(before: int, after: int) -> str:
    """"+25 %", "−40 %", or "new" when there was nothing before (never a division by zero)."""
    if before == 0:
        return "±0" if after == 0 else _("new")
    return _pct(100 * (after - before) / before)


def _pct(value: float) -> str:
    return f"{value:+.0f} %".replace("-", "−")


def verdicts(rr: dict, displacement: dict, counts: stats.Counts, *, has_control: bool) -> list[str]:
    """Plain-language sentences: the effect at the place first, then displacement or diffusion."""
    out = []
    if not has_control:
        out.append(_("Without a control area the change at the place cannot be told apart from what happened "
                     "everywhere: choose a control area."))
    elif not rr["computable"]:
        if rr["reason"] == "no_place_incidents":
            out.append(_("There were no incidents at the place in either period: there is nothing to compare, "
                         "and no effect can be concluded."))
        else:
            out.append(_("There were no incidents in the control area in either period: the change at the "
                         "place cannot be compared with anything. Choose a larger control area."))
    else:
        numbers = {"change": abs(rr["change_pct"]), "low": _pct(rr["ci_low_pct"]),
                   "high": _pct(rr["ci_high_pct"])}
        if rr["rr"] < 1:
            sentence = _("Incidents at the place fell by %(change).0f %% relative to the control area "
                         "(95 %% CI %(low)s to %(high)s)") % numbers
        elif rr["rr"] > 1:
            sentence = _("Incidents at the place rose by %(change).0f %% relative to the control area "
                         "(95 %% CI %(low)s to %(high)s)") % numbers
        else:
            sentence = _("Incidents at the place changed exactly as in the control area "
                         "(95 %% CI %(low)s to %(high)s)") % numbers
        if rr["significant"] and rr["rr"] < 1:
            sentence += _(": a real decrease.")
        elif rr["significant"]:
            sentence += _(": a real increase.")
        else:
            sentence += _(": this cannot be told apart from chance.")
        out.append(sentence)

    reason = displacement.get("reason")
    if displacement.get("meaningful"):
        out.append(wdq_reading_text(displacement["reading"], displacement["wdq"]))
    elif reason == "no_success":
        out.append(_("The place did not improve relative to the control area, so the displacement quotient "
                     "is not read: there is no effect to displace."))
    elif reason == "control_zero":
        out.append(_("The control area had no incidents in one of the periods, so displacement to the buffer "
                     "zone cannot be measured."))
    elif reason == "no_buffer":
        out.append(_("No buffer zone was chosen, so displacement was not measured."))
    return out


def net_effect_verdicts(net: dict) -> list[str]:
    """The net number of incidents prevented, in words; nothing when it cannot be computed."""
    if not net.get("computable"):
        return []
    numbers = {"n": abs(net["prevented"]), "low": _signed(net["prevented_ci_low"]),
               "high": _signed(net["prevented_ci_high"])}
    if net["prevented"] >= 0:
        sentence = _("Counted in incidents, about %(n).0f were prevented at the place and in its buffer zone, "
                     "given the control area's development (95 %% CI %(low)s to %(high)s)") % numbers
    else:
        sentence = _("Counted in incidents, the place and its buffer zone had about %(n).0f more than the control "
                     "area's development predicts (95 %% CI of incidents prevented %(low)s to %(high)s)") % numbers
    if net["significant"]:
        return [sentence + _(": more than chance explains.")]
    return [sentence + _(": within what chance explains.")]


def _signed(value: float) -> str:
    return f"{value:+.0f}".replace("-", "−")


def wdq_reading_text(reading: str, value: float) -> str:
    number = {"wdq": f"{value:.2f}".replace("-", "−")}
    return {
        stats.WDQ_DIFFUSION_GREATER: _("Displacement quotient %(wdq)s: the buffer zone improved too, and by "
                                       "more than the place itself (diffusion of benefit greater than the "
                                       "direct effect)."),
        stats.WDQ_DIFFUSION: _("Displacement quotient %(wdq)s: the buffer zone improved too (diffusion of "
                               "benefit)."),
        stats.WDQ_NONE: _("Displacement quotient %(wdq)s: no sign of displacement to the buffer zone."),
        stats.WDQ_DISPLACEMENT: _("Displacement quotient %(wdq)s: some incidents seem to have moved to the "
                                  "buffer zone, but fewer than were prevented at the place."),
        stats.WDQ_BACKFIRE: _("Displacement quotient %(wdq)s: more incidents seem to have moved to the buffer "
                              "zone than were prevented at the place (the measure backfired)."),
    }[reading] % number


WDQ_TABLE = [
    ("WDQ > 1", stats.WDQ_DIFFUSION_GREATER),
    ("0 < WDQ ≤ 1", stats.WDQ_DIFFUSION),
    ("WDQ = 0", stats.WDQ_NONE),
    ("−1 ≤ WDQ < 0", stats.WDQ_DISPLACEMENT),
    ("WDQ < −1", stats.WDQ_BACKFIRE),
]


def wdq_table() -> list[dict]:
    labels = {
        stats.WDQ_DIFFUSION_GREATER: _("Diffusion of benefit greater than the direct effect"),
        stats.WDQ_DIFFUSION: _("Diffusion of benefit"),
        stats.WDQ_NONE: _("No displacement"),
        stats.WDQ_DISPLACEMENT: _("Displacement, less than the direct effect"),
        stats.WDQ_BACKFIRE: _("Displacement greater than the direct effect (backfire)"),
    }
    return [{"range": r, "code": code, "label": labels[code]} for r, code in WDQ_TABLE]


def caveat_text(caveat: dict) -> str:
    code = caveat["code"]
    if code == "small_numbers":
        return _("Small numbers: at least one count is below %(threshold)d (the smallest is %(smallest)d). "
                 "With so few incidents chance alone moves the numbers a lot; read the result with care.") % caveat
    if code == "continuity_correction":
        return _("A count is zero, so 0.5 was added to each of the four counts to compute the rate ratio and "
                 "its interval (a continuity correction). The result is only a rough guide.")
    if code == "seasonality":
        return _("The periods are %(weeks)d weeks long, so before and after cover different seasons. Disorder "
                 "follows the seasons; compare the same weeks a year apart (a year-on-year comparison) before "
                 "drawing conclusions.") % caveat
    if code == "regression_to_mean":
        return _("Regression to the mean: the place had %(before).1f incidents a week in the before period, "
                 "against %(long).1f a week over the %(weeks)d weeks before that. A case is often opened after "
                 "a peak, and peaks tend to fall back on their own.") % {
            "before": caveat["before_rate"], "long": caveat["long_rate"], "weeks": caveat["history_weeks"]}
    if code == "control_overlap":
        return _("The control area overlaps the place or the buffer zone; incidents there were left out of "
                 "the control. Choose a control area further away if you can.")
    if code == "buffer_swallows_control":
        return _("The buffer zone covers (almost) all of the control area, so the control says little. Choose "
                 "another control area or a narrower buffer.")
    if code == "shortened":
        return _("The data do not cover %(wanted)d weeks on both sides of the intervention date; the periods "
                 "were shortened to %(weeks)d weeks.") % caveat
    if code == "no_control":
        return _("No control area was chosen.")
    return code


# The PDF ------------------------------------------------------------------------------------------------

def to_pdf(result: dict) -> bytes:
    """A short evaluation document (WeasyPrint, no network, the weekly picture's print CSS)."""
    from django.template.loader import render_to_string
    from django.utils import timezone as tz

    from samtrygg.weekly.documents import html_to_pdf

    html = render_to_string("cases/evaluation_pdf.html", {
        "result": result, "changes": result["changes"], "chart": weekly_chart(result),
        "wdq_table": wdq_table(), "generated": tz.localtime()})
    return html_to_pdf(html)


# The before/after chart ---------------------------------------------------------------------------------

def weekly_chart(result: dict) -> str:
    """Weekly counts at the place, in the buffer and in the control area (own axis), with the intervention
    date marked, as an SVG data URI."""
    import matplotlib
    from matplotlib.figure import Figure

    from samtrygg.weekly.charts import FONT, INK, MUTED, _svg, data_uri

    weekly = result["weekly"]
    n = len(weekly["place"])
    xs = list(range(n))
    with matplotlib.rc_context(FONT):
        fig = Figure(figsize=(17 / 2.54, 6 / 2.54))
        ax = fig.add_subplot()
        ax.plot(xs, weekly["place"], color="#c0392b", linewidth=1.6, label=_("Place"))
        if result["buffer_m"]:
            ax.plot(xs, weekly["buffer"], color="#1d5fa8", linewidth=1.2, label=_("Buffer zone"))
        if weekly["control"] is not None:
            ax2 = ax.twinx()
            ax2.plot(xs, weekly["control"], color=MUTED, linewidth=1.0, linestyle="--",
                     label=_("Control area (right axis)"))
            ax2.tick_params(axis="y", colors=MUTED, length=0)
            ax2.set_ylim(bottom=0)
            for side in ("top", "left", "bottom"):
                ax2.spines[side].set_visible(False)
            ax2.yaxis.get_major_locator().set_params(integer=True)
            handles2, labels2 = ax2.get_legend_handles_labels()
        else:
            handles2, labels2 = [], []
        cut = weekly["intervention_index"] - 0.5
        ax.axvline(cut, color=INK, linewidth=0.8)
        ax.annotate(_("Intervention"), (cut, 1), xycoords=("data", "axes fraction"), xytext=(3, -8),
                    textcoords="offset points", fontsize=7, color=INK)
        ticks = list(range(0, n, max(1, n // 8)))
        ax.set_xticks(ticks, [weekly["week_starts"][i] for i in ticks], rotation=30, ha="right")
        ax.set_ylim(bottom=0)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="both", length=0, colors=INK)
        ax.grid(axis="y", color="#e3e7eb", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles + handles2, labels + labels2, loc="upper left", frameon=False, fontsize=7,
                  ncol=3, bbox_to_anchor=(0, -0.28))
        ax.set_ylabel(_("Incidents per week"))
        return data_uri(_svg(fig))
