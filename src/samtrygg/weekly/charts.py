"""Server-side drawings for the weekly picture's PDF: the map of the week's reports and the category chart.

Drawn with matplotlib's non-interactive backends (no display, no network, no map tiles) as SVG, so they
stay sharp in print and embed in the PDF as data URIs. Only :class:`matplotlib.figure.Figure` is used,
never ``pyplot``: pyplot keeps global state, which a web server's threads must not share.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display; set before anything imports pyplot

from matplotlib.figure import Figure  # noqa: E402

FONT = {"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "path"}
INK = "#1f2d3d"
MUTED = "#8a96a3"
THIS_WEEK = "#1d5fa8"
LAST_WEEK = "#b9c7d6"
POINT = "#c0392b"


@dataclass(frozen=True)
class MapArea:
    """An outline to draw: ``geometry`` is a shapely (Multi)Polygon in SWEREF 99 TM metres."""

    name: str
    geometry: object
    emphasis: bool = False  # the selected area: drawn darker and labelled


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.02, metadata={"Date": None})
    return buf.getvalue()


def _rings(geometry) -> Iterable:
    import shapely

    for part in shapely.get_parts(geometry):
        if part.geom_type != "Polygon":
            continue
        yield part.exterior
        yield from part.interiors


def week_map(areas: Sequence[MapArea], points: Sequence[tuple[float, float]], *, focus: Sequence = (),
             width_cm: float = 17.0, height_cm: float = 10.0, scale_label: str = "km") -> str:
    """The area outlines and the week's report points (SWEREF 99 TM) as an SVG document.

    The view fits ``focus`` (geometries; e.g. the selected area, or the districts of a large rural
    municipality whose outline would make the town a speck) together with the bulk of the points
    (2nd to 98th percentile, so one stray report does not zoom out the map); without focus, every area.
    A scale bar replaces axes: SWEREF 99 TM is metric, so lengths are true."""
    import shapely

    with matplotlib.rc_context(FONT):
        fig = Figure(figsize=(width_cm / 2.54, height_cm / 2.54))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_aspect("equal")
        for area in areas:
            for ring in _rings(area.geometry):
                xs, ys = ring.xy
                ax.plot(xs, ys, color=INK if area.emphasis else MUTED,
                        linewidth=1.4 if area.emphasis else 0.6, zorder=2 if area.emphasis else 1)
        if points:
            xs, ys = zip(*points, strict=True)
            ax.scatter(xs, ys, s=6, color=POINT, alpha=0.55, linewidths=0, zorder=3)
        minx, miny, maxx, maxy = _extent(areas, points, focus)
        pad = max(maxx - minx, maxy - miny, 500.0) * 0.04
        minx, maxx, miny, maxy = minx - pad, maxx + pad, miny - pad, maxy + pad
        # Widen the shorter side to the figure's proportions, so the map fills the frame.
        aspect = height_cm / width_cm
        if (maxy - miny) / (maxx - minx) < aspect:
            extra = ((maxx - minx) * aspect - (maxy - miny)) / 2
            miny, maxy = miny - extra, maxy + extra
        else:
            extra = ((maxy - miny) / aspect - (maxx - minx)) / 2
            minx, maxx = minx - extra, maxx + extra
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        visible = shapely.box(minx, miny, maxx, maxy)
        for area in areas:  # label the areas in view that are large enough on paper to carry a label
            where = area.geometry.representative_point()
            a_minx, _, a_maxx, _ = area.geometry.bounds
            big = (a_maxx - a_minx) > 0.07 * (maxx - minx)
            if visible.contains(where) and (area.emphasis or big):
                ax.annotate(area.name, (where.x, where.y), ha="center", va="center", zorder=4,
                            fontsize=7 if area.emphasis else 6, color=INK if area.emphasis else "#5b6773",
                            fontweight="bold" if area.emphasis else "normal")
        _scale_bar(ax, minx, maxx, miny, maxy, scale_label)
        return _svg(fig)


def _extent(areas, points, focus) -> tuple[float, float, float, float]:
    import numpy as np
    import shapely

    boxes = []
    geoms = list(focus) or [a.geometry for a in areas]
    if geoms:
        boxes.append(shapely.union_all(geoms).bounds)
    if len(points):
        xy = np.asarray(points, dtype=float)
        lo, hi = np.percentile(xy, [2, 98], axis=0) if len(xy) >= 20 else (xy.min(axis=0), xy.max(axis=0))
        boxes.append((lo[0], lo[1], hi[0], hi[1]))
    if not boxes:
        return 0.0, 0.0, 1000.0, 1000.0
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def _scale_bar(ax, minx, maxx, miny, maxy, unit_label):
    span = maxx - minx
    length = next((m for m in (10_000, 5_000, 2_000, 1_000, 500, 200, 100) if m <= span / 4), 100)
    x0, y0 = minx + span * 0.03, miny + (maxy - miny) * 0.04
    ax.plot([x0, x0 + length], [y0, y0], color=INK, linewidth=2, solid_capstyle="butt", zorder=5)
    label = f"{length // 1000} {unit_label}" if length >= 1000 else f"{length} m"
    ax.annotate(label, (x0 + length / 2, y0), xytext=(0, 3), textcoords="offset points", ha="center",
                va="bottom", fontsize=7, color=INK, zorder=5)


def category_bars(labels: Sequence[str], this_week: Sequence[int], last_week: Sequence[int], *,
                  this_label: str, last_label: str, width_cm: float = 17.0) -> str:
    """Horizontal bars: this week's count per category next to last week's, as an SVG document."""
    n = len(labels)
    with matplotlib.rc_context(FONT):
        fig = Figure(figsize=(width_cm / 2.54, max(1.2, 0.5 + 0.22 * n)))
        ax = fig.add_subplot()
        ys = list(range(n))
        ax.barh([y + 0.2 for y in ys], list(last_week), height=0.4, color=LAST_WEEK, label=last_label)
        ax.barh([y - 0.2 for y in ys], list(this_week), height=0.4, color=THIS_WEEK, label=this_label)
        for y, value in zip(ys, this_week, strict=True):
            ax.annotate(str(value), (value, y - 0.2), xytext=(2, 0), textcoords="offset points",
                        va="center", fontsize=6.5, color=INK)
        ax.set_yticks(ys, list(labels))
        ax.invert_yaxis()
        ax.tick_params(axis="both", length=0, colors=INK)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="x", color="#e3e7eb", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(MUTED)
        ax.margins(x=0.08)
        ax.legend(loc="lower right", frameon=False, fontsize=7)
        return _svg(fig)
